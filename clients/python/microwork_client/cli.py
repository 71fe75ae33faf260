"""`microwork`: a requester's common jobs from a terminal, over the API.

    microwork project create project.yaml      create a project (and upload its tasks)
    microwork project status 12 live           open, pause or complete it
    microwork projects                         list your projects
    microwork tasks upload 12 tasks.csv        upload tasks (CSV, JSON or JSON Lines)
    microwork watch 12                         follow its progress with a progress bar
    microwork results download 12 -o out.csv   download its results (or --answers)

The server and token come from MICROWORK_URL and MICROWORK_TOKEN, or --url and --token. The
server package installs the same `microwork` command: anything other than these subcommands
goes to its management commands (`microwork migrate`, `microwork demo`…) when it is
installed, whichever of the two was installed last."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from microwork_client._http import ApiError, TransportError
from microwork_client.client import Client

REQUESTER_COMMANDS = frozenset({"project", "projects", "tasks", "watch", "results"})
GLOBAL_OPTIONS = ("--url", "--token")
SERVER_CLI = "microwork.cli"


def is_requester_command(argv: list[str]) -> bool:
    """Whether `argv` is for this command line rather than the server's management commands."""
    rest = list(argv)
    while rest and rest[0].split("=", 1)[0] in GLOBAL_OPTIONS:
        rest = rest[1:] if "=" in rest[0] else rest[2:]
    if len(rest) < len(argv):
        return True
    return bool(rest) and rest[0] in REQUESTER_COMMANDS


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="microwork",
        description="A requester's common jobs on a microwork server.",
        epilog=(
            "Other commands go to the server's management commands when the server is "
            "installed (`microwork help` lists them)."
        ),
    )
    parser.add_argument("--url", default=os.environ.get("MICROWORK_URL"), help="$MICROWORK_URL")
    parser.add_argument(
        "--token", default=os.environ.get("MICROWORK_TOKEN"), help="$MICROWORK_TOKEN"
    )
    commands = parser.add_subparsers(dest="command", required=True)

    project = commands.add_parser("project", help="create a project, change its status")
    project_commands = project.add_subparsers(dest="action", required=True)
    create = project_commands.add_parser("create", help="create a project from a YAML file")
    create.add_argument("file", type=Path)
    create.add_argument(
        "--no-wait", action="store_true", help="do not wait for the tasks to be checked"
    )
    status = project_commands.add_parser("status", help="set a project's status")
    status.add_argument("project_id", type=int)
    status.add_argument("status", help="live, paused, completed or archived")
    status.add_argument("--reason", default="")

    commands.add_parser("projects", help="list your projects")

    tasks = commands.add_parser("tasks", help="upload tasks")
    task_commands = tasks.add_subparsers(dest="action", required=True)
    upload = task_commands.add_parser("upload", help="upload a CSV, JSON or JSON Lines file")
    upload.add_argument("project_id", type=int)
    upload.add_argument("file", type=Path)
    upload.add_argument("--no-wait", action="store_true")

    watch = commands.add_parser("watch", help="follow a project's progress")
    watch.add_argument("project_id", type=int)
    watch.add_argument("--interval", type=float, default=5.0, help="seconds between looks")
    watch.add_argument("--once", action="store_true", help="look once and stop")

    results = commands.add_parser("results", help="download results")
    result_commands = results.add_subparsers(dest="action", required=True)
    download = result_commands.add_parser("download", help="download a project's results")
    download.add_argument("project_id", type=int)
    download.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    download.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    download.add_argument(
        "--answers", action="store_true", help="one row per answer instead of one per task"
    )
    return parser


def _bar(done: int, total: int, width: int = 30) -> str:
    filled = width if total <= 0 else min(width, done * width // total)
    return "[" + "#" * filled + "-" * (width - filled) + "]"


class Progress:
    """A progress line redrawn in place on a terminal, one line per change elsewhere."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.last = ""
        self.tty = stream.isatty()

    def show(self, text: str) -> None:
        if text == self.last:
            return
        self.last = text
        if self.tty:
            self.stream.write("\r\x1b[K" + text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def end(self) -> None:
        if self.tty and self.last:
            self.stream.write("\n")
            self.stream.flush()


def _wait_for_batch(client: Client, batch: dict[str, Any], err: TextIO) -> dict[str, Any]:
    progress = Progress(err)

    def shown(b: Any) -> None:
        percent = int(b.get("percent_checked") or 0)
        progress.show(f"checking {_bar(percent, 100)} {percent:3d}%  batch {b['id']}")

    done: dict[str, Any] = dict(client.wait_for_batch(batch["id"], on_progress=shown))
    progress.end()
    return done


def _report_batch(batch: dict[str, Any], out: TextIO) -> int:
    if batch.get("status") == "failed" or batch.get("errors"):
        out.write(f"batch {batch['id']}: {batch.get('status')}\n")
        for problem in batch.get("errors") or []:
            out.write(
                f"  row {problem.get('row')}: {problem.get('field')}: {problem.get('reason')}\n"
            )
        return 1
    duplicate = " (this file was already uploaded: nothing added)" if batch.get("duplicate") else ""
    out.write(
        f"batch {batch['id']}: {batch.get('status')}, {batch.get('rows_added', 0)} tasks added"
        f"{duplicate}\n"
    )
    return 0


def _upload(
    client: Client, project_id: int, path: Path, wait: bool, out: TextIO, err: TextIO
) -> int:
    batch: dict[str, Any] = dict(client.upload_tasks_file(project_id, path))
    if wait and batch["status"] in ("pending", "processing"):
        batch = _wait_for_batch(client, batch, err)
    return _report_batch(batch, out)


def _project_create(client: Client, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import yaml

    spec = yaml.safe_load(args.file.read_text(encoding="utf-8"))
    if not isinstance(spec, dict):
        raise SystemExit(f"{args.file}: expected a mapping of project settings")
    tasks = spec.pop("tasks", None)
    status = spec.pop("status", None)
    project = client.create_project(spec)  # type: ignore[arg-type]
    out.write(f"project {project['id']}: {project['name']} ({project['status']})\n")
    if tasks:
        path = Path(tasks)
        if not path.is_absolute():
            path = args.file.parent / path
        if _upload(client, project["id"], path, not args.no_wait, out, err):
            return 1
    if status and status != project["status"]:
        changed = client.set_project_status(project["id"], {"status": status, "reason": ""})
        out.write(f"project {changed['id']}: {changed['status']}\n")
    return 0


def _watch(client: Client, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    progress = Progress(err if not args.once else out)
    try:
        while True:
            p = client.progress(args.project_id)
            line = (
                f"{_bar(p['complete'], p['regular'])} {p['percent_complete']:3d}%  "
                f"{p['complete']}/{p['regular']} tasks complete, "
                f"{p['answers']} answers ({p['status']})"
            )
            progress.show(line)
            finished = p["regular"] > 0 and p["complete"] >= p["regular"]
            if args.once or finished or p["status"] in ("completed", "archived"):
                progress.end()
                return 0
            time.sleep(args.interval)
    except KeyboardInterrupt:
        progress.end()
        return 130


def _results(client: Client, args: argparse.Namespace, out: TextIO) -> int:
    kind = "answers" if args.answers else "results"
    if args.output is None:
        content = client.download_bytes(args.project_id, kind=kind, fmt=args.format)
        if out is sys.stdout:
            sys.stdout.buffer.write(content)
        else:
            out.write(content.decode("utf-8"))
        return 0
    path = client.download(args.project_id, args.output, kind=kind, fmt=args.format)
    out.write(f"wrote {path} ({path.stat().st_size} bytes)\n")
    return 0


def run(argv: list[str], *, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    args = _parser().parse_args(argv)
    if not args.url:
        err.write("Set MICROWORK_URL (or --url) to the server's address.\n")
        return 2
    client = Client(args.url, args.token)
    try:
        if args.command == "project" and args.action == "create":
            return _project_create(client, args, out, err)
        if args.command == "project" and args.action == "status":
            changed = client.set_project_status(
                args.project_id, {"status": args.status, "reason": args.reason}
            )
            out.write(f"project {changed['id']}: {changed['status']}\n")
            return 0
        if args.command == "projects":
            for p in client.iter_list_projects():
                out.write(
                    f"{p['id']}\t{p['status']}\t{p['tasks_total']} tasks\t"
                    f"{p['answers_total']} answers\t{p['name']}\n"
                )
            return 0
        if args.command == "tasks":
            return _upload(client, args.project_id, args.file, not args.no_wait, out, err)
        if args.command == "watch":
            return _watch(client, args, out, err)
        if args.command == "results":
            return _results(client, args, out)
    except ApiError as exc:
        where = f" ({exc.field})" if exc.field else ""
        err.write(f"error: {exc.message}{where} [{exc.code}, HTTP {exc.status}]\n")
        for detail in exc.details or []:
            if isinstance(detail, dict):
                err.write(f"  {json.dumps(detail, ensure_ascii=False)}\n")
        return 1
    except (TransportError, OSError) as exc:
        err.write(f"error: {exc}\n")
        return 1
    return 2


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if is_requester_command(args) or not args or args[0] in ("-h", "--help"):
        if not args or args[0] in ("-h", "--help"):
            _parser().print_help()
            return 0
        return run(args)
    try:
        server = importlib.import_module(SERVER_CLI)
    except ImportError:
        _parser().print_help(sys.stderr)
        return 2
    return int(server.main(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
