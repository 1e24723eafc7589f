"""How ``predict`` takes SIGINT and SIGTERM: as KeyboardInterrupt, but never in the middle of writing a batch,
so that an interrupted run's output ends on a whole document."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class PredictSignals:
    """While a run is on (in the main thread, where handlers can be set): SIGINT and SIGTERM raise
    KeyboardInterrupt, except while a batch is being written, after which they do, so that the output ends
    on a whole document. ``received`` is the first signal; later ones are ignored, so that stopping the
    workers and closing the output are not cut short."""

    def __init__(self) -> None:
        self.received: int | None = None
        self.writing = False
        self.previous: dict = {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self.previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)

    def _handle(self, signum, frame) -> None:
        if self.received is None:
            self.received = signum
            if not self.writing:
                raise KeyboardInterrupt

    @contextmanager
    def writing_batch(self) -> Iterator[None]:
        self.writing = True
        try:
            yield
        finally:
            self.writing = False
        if self.received is not None:
            raise KeyboardInterrupt

    @staticmethod
    @contextmanager
    def ignored_by_new_processes() -> Iterator[None]:
        """SIGINT ignored while processes are started: they inherit that, so that a Ctrl-C while one starts
        up (before its initializer ignores it too) prints no traceback from it. A Ctrl-C in these
        milliseconds is lost."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)
