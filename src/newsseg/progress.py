"""Progress of long commands: one line per stage on stderr, each with the seconds since the command began.

Library code logs each stage as it begins, at INFO on its module's logger (``newsseg.*``); nothing is shown
until a command calls :func:`show_progress`, so tests and library users stay quiet.
"""

from __future__ import annotations

import logging
import sys

_HANDLER_NAME = "newsseg-progress"
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"  # the CLI's, and its prediction workers'


class ElapsedFormatter(logging.Formatter):
    """``[  12.3 s] message``; warnings and errors keep their level and logger name."""

    def format(self, record: logging.LogRecord) -> str:
        # relativeCreated counts from when logging was imported, i.e. about when the command started
        stamp = f"[{record.relativeCreated / 1000:6.1f} s]"
        if record.levelno >= logging.WARNING:
            return f"{stamp} {record.levelname} {record.name}: {record.getMessage()}"
        return f"{stamp} {record.getMessage()}"


def show_progress(logger_name: str = "newsseg") -> None:
    """Print the INFO lines of ``logger_name`` and its children on stderr (once, however often called)."""
    logger = logging.getLogger(logger_name)
    if any(h.get_name() == _HANDLER_NAME for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(ElapsedFormatter())
    logger.addHandler(handler)
    logger.setLevel(min(logger.getEffectiveLevel(), logging.INFO))
    logger.propagate = False  # the root handler would print each line a second time

