"""Logging filters: hostile requests get one WARNING line, never a traceback a scanner can multiply."""

from __future__ import annotations

import logging


class OneWarningLine(logging.Filter):
    """Django logs a refused request (bad Host, too many fields) at ERROR with the exception's traceback;
    it is the client's mistake, so it becomes a WARNING with the message alone."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info = record.exc_text = None
        return True
