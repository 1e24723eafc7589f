"""Hot loops compiled to machine code with numba, one module per area (``kernels.<area>``); each loop
has its plain twin (numpy, or the loop itself run as Python). Callers keep a numpy path, or run the loop itself as
plain Python (``python_version``), for when numba is missing or switched off (``NEWSSEG_NO_JIT=1``), and
tests check that both paths give the same results."""

from __future__ import annotations

import os
from typing import Callable

try:
    import numba
except ImportError:  # numba is a dependency, but a platform without its wheels must still predict
    numba = None


def jit_enabled() -> bool:
    return numba is not None and os.environ.get("NEWSSEG_NO_JIT", "") not in ("1", "true")


def compiled(function: Callable) -> Callable:
    """``function`` compiled on its first call (then cached on disk, so later processes skip compiling);
    without numba, ``function`` itself, which runs the same loops in Python (slow: for tests)."""
    if numba is None:
        return function
    return numba.njit(cache=True, nogil=True)(function)


def python_version(function: Callable) -> Callable:
    """The plain Python function behind a ``compiled`` one."""
    return getattr(function, "py_func", function)
