"""Filters for the logging configuration (config/settings.py LOGGING)."""

import logging


class RefusalsOnOneLine(logging.Filter):
    """A 403 is an ordinary refusal (a worker opening a requester's page), not a fault: Django
    logs it with the PermissionDenied traceback, a screenful per refusal in the server's output.
    The warning keeps its one line (method, path, status); a 500 keeps its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
