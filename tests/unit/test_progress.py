"""Progress lines: the seconds since the start, then the stage; shown once however often enabled."""

import logging

from newsseg.progress import ElapsedFormatter, show_progress


def record(level: int, message: str) -> logging.LogRecord:
    made = logging.LogRecord("newsseg.training", level, __file__, 1, message, (), None)
    made.relativeCreated = 12_345.0
    return made


def test_lines_start_with_the_seconds_and_warnings_keep_their_level():
    assert ElapsedFormatter().format(record(logging.INFO, "fit: layout_gbt ...")) == "[  12.3 s] fit: layout_gbt ..."
    assert ElapsedFormatter().format(record(logging.WARNING, "odd")) == "[  12.3 s] WARNING newsseg.training: odd"


def test_progress_is_shown_once_at_info(monkeypatch):
    logger = logging.getLogger("newsseg_progress_test")
    monkeypatch.setattr(logger, "handlers", [])
    show_progress("newsseg_progress_test")
    show_progress("newsseg_progress_test")
    assert len(logger.handlers) == 1 and logger.isEnabledFor(logging.INFO) and not logger.propagate
    logger.propagate = True
