"""The production WSGI application without other apps' submission hooks (the ledger's pending
earning, gold feedback), so the benchmark can show the assignment engine's own share."""

from config.wsgi import application
from microwork.work import hooks

hooks.SUBMISSION_HOOKS.clear()

__all__ = ["application"]
