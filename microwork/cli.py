"""The `microwork` console command: Django's management commands under the project's name."""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    execute_from_command_line(["microwork", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
