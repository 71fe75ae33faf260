"""Helpers for tests that start a child process on the test's own database."""

import os
from urllib.parse import quote

from django.db import connection


def child_env() -> dict[str, str]:
    """The environment a child process needs to use this test's database."""
    db = connection.settings_dict
    env = dict(os.environ)
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        auth = quote(db["USER"] or "postgres")
        if db.get("PASSWORD"):
            auth += ":" + quote(db["PASSWORD"])
        env["DATABASE_URL"] = (
            f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    env["PYTHONUNBUFFERED"] = "1"
    return env
