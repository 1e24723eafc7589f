"""How many threads torch runs on, set where a model runs it. Apart from the transformer families so that
``predict`` can cap the threads without loading them; torch itself is imported only when a model sets them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

_torch_thread_cap: int | None = None  # set by ``torch_threads_capped``


@contextmanager
def torch_threads_capped(threads: int) -> Iterator[None]:
    """Within the block, models run torch on ``threads`` threads (e.g. ``predict --threads``)."""
    global _torch_thread_cap
    previous, _torch_thread_cap = _torch_thread_cap, threads
    try:
        yield
    finally:
        _torch_thread_cap = previous


def set_torch_threads() -> None:
    """Use the cap of ``torch_threads_capped`` if one is set; else every core, unless the user pinned a
    thread count (OMP_NUM_THREADS), e.g. one per worker."""
    import torch

    if _torch_thread_cap:
        torch.set_num_threads(_torch_thread_cap)
    elif "OMP_NUM_THREADS" not in os.environ:
        torch.set_num_threads(max(1, os.cpu_count() or 1))
