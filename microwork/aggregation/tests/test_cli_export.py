"""The command line reads our own answers export as it is downloaded."""

import csv
import io

import pytest

from microwork.aggregation import exports
from microwork.aggregation.cli import run_aggregate
from microwork.lib.csvfile import unescape_cell
from microwork.projects.tests.factories import ProjectFactory, TaskFactory, stored_answer
from microwork.work.models import Submission


@pytest.fixture
def workers(db, django_user_model):
    return [
        django_user_model.objects.create_user(username=f"w{i}", email=f"w{i}@example.org")
        for i in range(4)
    ]


def test_our_answers_export_round_trips_through_the_command(workers, tmp_path):
    project = ProjectFactory()
    first, second = TaskFactory(project=project), TaskFactory(project=project)
    # "=1+1" is guarded against spreadsheet formulas and must come back unchanged; "-1" is a
    # number, written as it is
    for worker in workers[:2]:
        stored_answer(first, worker, "-1")
    stored_answer(first, workers[2], "=1+1")
    stored_answer(second, workers[0], "=1+1")
    stored_answer(second, workers[1], "=1+1")
    # rejected answers are listed in the export but must not count: counted, they would tie
    # the task 2-2 and the tie would go to the lower class, "-1"
    for worker in workers[2:]:
        rejected = stored_answer(second, worker, "-1")
        Submission.objects.filter(pk=rejected.pk).update(status=Submission.Status.REJECTED)
    response = exports.export_response(project=project, kind="answers", fmt="csv")
    path = tmp_path / "answers.csv"
    path.write_bytes(b"".join(response.streaming_content))
    text = path.read_text(encoding="utf-8-sig")
    assert "'=1+1" in text, "the export guards the cell"
    assert "'-1" not in text and ",-1," in text, "a number stays a number"

    out = io.StringIO()
    run_aggregate("mv", path, out=out)
    assert "'=1+1" in out.getvalue(), "the command's own CSV is guarded too"
    rows = csv.DictReader(io.StringIO(out.getvalue()))
    result = {r["task"]: unescape_cell(r["label"]) for r in rows}
    assert result == {str(first.pk): "-1", str(second.pk): "=1+1"}
