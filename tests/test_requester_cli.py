"""The `microwork` command line against a live server: a project from YAML with its tasks,
another upload, the progress bar, the results; and one command whichever package installed
it (requester subcommands to the client, the rest to the server's management commands)."""

import io
import textwrap

import pytest
from microwork_client import cli as client_cli

from microwork import cli as server_cli
from microwork.accounts import services as account_services
from microwork.accounts.access import access_organisation_for_requester
from microwork.projects.models import Project, Task
from microwork.quality.tests.helpers import fund, submit


@pytest.fixture
def env(transactional_db, live_server, rita, monkeypatch):
    org = access_organisation_for_requester(user=rita)
    _token, key = account_services.api_token_create(user=rita, name="cli", organisation=org)
    monkeypatch.setenv("MICROWORK_URL", live_server.url)
    monkeypatch.setenv("MICROWORK_TOKEN", key)
    return live_server


def _run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = client_cli.run(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_a_requesters_day_from_yaml_to_results(env, tmp_path, walt, omar):
    (tmp_path / "tasks.csv").write_text("text\nfirst\nsecond\n", encoding="utf-8")
    (tmp_path / "project.yaml").write_text(
        textwrap.dedent(
            """\
            name: Cats or dogs
            description: Say which animal is in the picture.
            interface: single_choice
            config:
              question: Which animal?
              labels:
                - {value: cat, text: Cat}
                - {value: dog, text: Dog}
            reward: "0.05"
            estimated_seconds: 10
            overlap: 1
            tasks: tasks.csv
            """
        ),
        encoding="utf-8",
    )
    code, out, err = _run("project", "create", str(tmp_path / "project.yaml"))
    assert code == 0, err
    project = Project.objects.get()
    assert out.splitlines()[0] == f"project {project.pk}: Cats or dogs (draft)"
    assert "2 tasks added" in out
    (tmp_path / "more.jsonl").write_text('{"text": "third"}\n', encoding="utf-8")
    code, out, err = _run("tasks", "upload", str(project.pk), str(tmp_path / "more.jsonl"))
    assert code == 0, err
    assert "1 tasks added" in out
    assert Task.objects.filter(project=project).count() == 3
    # An answer comes in; the progress bar shows it.
    fund(project, omar)
    submit(
        task=Task.objects.filter(project=project).order_by("id").first(), worker=walt, label="cat"
    )
    code, out, err = _run("watch", str(project.pk), "--once")
    assert code == 0, err
    assert "[##########--------------------]  33%  1/3 tasks complete, 1 answers (draft)" in out
    code, out, err = _run("results", "download", str(project.pk), "-o", str(tmp_path / "r.csv"))
    assert code == 0, err
    rows = (tmp_path / "r.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 4
    assert any(",first," in row and "cat" in row for row in rows[1:])
    code, out, err = _run(
        "results",
        "download",
        str(project.pk),
        "-o",
        str(tmp_path / "a.jsonl"),
        "--answers",
        "--format",
        "jsonl",
    )
    assert code == 0, err
    assert '"cat"' in (tmp_path / "a.jsonl").read_text(encoding="utf-8")
    code, out, _err = _run("projects")
    assert out.startswith(f"{project.pk}\tdraft\t3 tasks\t1 answers\tCats or dogs")


def test_a_refusal_is_printed_with_its_field_and_the_command_fails(env, tmp_path):
    (tmp_path / "bad.yaml").write_text("name: x\ninterface: no_such_kind\n", encoding="utf-8")
    code, _out, err = _run("project", "create", str(tmp_path / "bad.yaml"))
    assert code == 1
    assert err.startswith("error: ")
    assert not Project.objects.exists()


def test_a_bad_upload_lists_its_rows(env, tmp_path, rita):
    code, out, err = _run("project", "create", str(_yaml(tmp_path)))
    assert code == 0, err
    project = Project.objects.get()
    (tmp_path / "bad.csv").write_text("nothing\n\n", encoding="utf-8")
    code, out, err = _run("tasks", "upload", str(project.pk), str(tmp_path / "bad.csv"))
    assert code == 1
    assert err.startswith("error: "), (out, err)
    assert Task.objects.count() == 0


def _yaml(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(
        "name: P\ndescription: D\ninterface: single_choice\nconfig:\n  question: Q?\n"
        "  labels: [{value: a, text: A}, {value: b, text: B}]\nreward: '0.05'\n"
        "estimated_seconds: 10\n",
        encoding="utf-8",
    )
    return path


def test_without_a_server_address_the_command_says_so(monkeypatch):
    monkeypatch.delenv("MICROWORK_URL", raising=False)
    code, _out, err = _run("projects")
    assert code == 2
    assert "MICROWORK_URL" in err


@pytest.mark.parametrize(
    ("argv", "requester"),
    [
        (["project", "create", "p.yaml"], True),
        (["watch", "3"], True),
        (["--url", "http://x", "projects"], True),
        (["--token=abc", "results", "download", "1"], True),
        (["migrate"], False),
        (["demo"], False),
        (["mturk_keys", "rita"], False),
    ],
)
def test_one_command_sends_each_subcommand_to_its_package(argv, requester, monkeypatch):
    assert client_cli.is_requester_command(argv) is requester
    seen = {}
    monkeypatch.setattr(client_cli, "run", lambda args: seen.setdefault("client", args) and 0)
    monkeypatch.setattr(
        "django.core.management.execute_from_command_line",
        lambda args: seen.setdefault("server", args[1:]),
    )
    # Installed by the server package last, or by the client last: the same outcome.
    for entry in (server_cli.main, client_cli.main):
        seen.clear()
        entry(list(argv))
        assert seen == ({"client": argv} if requester else {"server": argv})
