"""The review API through real HTTP calls, asserting on the database afterwards."""

import pytest

from microwork.inbox.models import Notification
from microwork.quality.tests.helpers import make_project, make_tasks


@pytest.fixture
def project(rita):
    return make_project(owner=rita)


def _auth(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_rejecting_over_the_api_one_or_several_answers_makes_decisions(
    client, project, rita_token, walt, omar
):
    from microwork.quality.models import Decision
    from microwork.quality.tests.helpers import fund, submit

    fund(project, omar)
    subs = [submit(task=t, worker=walt, label="dog") for t in make_tasks(project, 10)]
    r = client.post(
        f"/api/quality/submissions/{subs[0].pk}/reject",
        {"reason": "wrong_answer", "note": "A dog, not a cat"},
        content_type="application/json",
        **_auth(rita_token),
    )
    assert r.status_code == 200 and r.json()["kind"] == "rejection"
    first = Decision.objects.get(submission=subs[0])
    assert Notification.objects.filter(user=walt, params__decision_id=first.pk).exists()
    url = f"/api/quality/projects/{project.pk}/submissions/reject"
    body = {"submission_ids": [s.pk for s in subs[1:4]], "reason": "spam"}
    r = client.post(url, body, content_type="application/json", **_auth(rita_token))
    # Four of ten in a day is over the 30 % share.
    assert r.status_code == 400 and r.json()["code"] == "confirm_needed"
    assert r.json()["details"] == {"worker": "walt", "rejections": 4, "answers": 10}
    assert Decision.objects.count() == 1
    r = client.post(
        url, {**body, "confirm": True}, content_type="application/json", **_auth(rita_token)
    )
    assert r.status_code == 200 and r.json()["rejected"] == 3
    assert Decision.objects.filter(kind="rejection").count() == 4
    assert Notification.objects.filter(user=walt, kind="decision").count() == 4
    assert {s.status for s in type(subs[0]).objects.filter(pk__in=body["submission_ids"])} == {
        "rejected"
    }
    # An answer of another project is refused by name, and nothing changes.
    other = make_project(owner=project.created_by)
    stranger = submit(task=make_tasks(other, 1)[0], worker=walt, label="cat")
    r = client.post(
        url,
        {"submission_ids": [subs[5].pk, stranger.pk], "reason": "spam", "confirm": True},
        content_type="application/json",
        **_auth(rita_token),
    )
    assert r.status_code == 404 and r.json()["field"] == "submission_ids"
    assert Decision.objects.count() == 4


def test_the_bulk_reject_next_to_the_bulk_approve_answers_as_the_quality_path_did(
    client, project, rita_token, walt, omar
):
    from microwork.quality.models import Decision
    from microwork.quality.tests.helpers import fund, submit

    fund(project, omar)
    subs = [submit(task=t, worker=walt, label="dog") for t in make_tasks(project, 4)]
    body = {"submission_ids": [s.pk for s in subs[:2]], "reason": "spam", "confirm": True}
    r = client.post(
        f"/api/projects/{project.pk}/submissions/reject",
        body,
        content_type="application/json",
        **_auth(rita_token),
    )
    assert r.status_code == 200 and r.json()["rejected"] == 2
    assert {d["kind"] for d in r.json()["decisions"]} == {"rejection"}
    assert Decision.objects.filter(kind="rejection").count() == 2
    # The quality path, given the other two answers, answers in the same shape and words.
    old = client.post(
        f"/api/quality/projects/{project.pk}/submissions/reject",
        {**body, "submission_ids": [s.pk for s in subs[2:]]},
        content_type="application/json",
        **_auth(rita_token),
    )
    assert old.status_code == 200

    def same_for_any_answer(out):
        # Ids, the answer's own evidence and the moment differ from one answer to the next.
        per_answer = {"id", "inputs", "evidence", "starts_at"}
        decisions = [{k: v for k, v in d.items() if k not in per_answer} for d in out["decisions"]]
        keys = [sorted(d) for d in out["decisions"]]
        return sorted(out), out["rejected"], keys, decisions

    assert same_for_any_answer(r.json()) == same_for_any_answer(old.json())


def test_the_quality_paths_are_marked_deprecated_and_name_the_canonical_ones():
    from config.api import api

    paths = api.get_openapi_schema()["paths"]
    for old, new in (
        (
            "/api/quality/submissions/{submission_id}/reject",
            "/api/submissions/{submission_id}/reject",
        ),
        (
            "/api/quality/projects/{project_id}/submissions/reject",
            "/api/projects/{project_id}/submissions/reject",
        ),
    ):
        operation = paths[old]["post"]
        assert operation.get("deprecated") is True
        assert new.removeprefix("/api") in operation["description"]
        assert not paths[new]["post"].get("deprecated")
