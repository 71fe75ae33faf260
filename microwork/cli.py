"""The `microwork` console command: Django's management commands under the project's name.

The Python client (clients/python) installs a `microwork` command too, for a requester's jobs
over the API (`microwork project create`, `tasks upload`, `watch`, `results download`). Each
hands the other's subcommands over, so the command behaves the same whichever package was
installed last."""

import os
import sys
from importlib import import_module
from typing import Any

CLIENT_CLI = "microwork_client.cli"


def _client_cli() -> Any:
    try:
        return import_module(CLIENT_CLI)
    except ImportError:
        return None


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    client = _client_cli()
    if client is not None and (not args or client.is_requester_command(args)):
        return int(client.main(args) or 0)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["microwork", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
