"""A task type is one module plus one registry entry: the free-text type below is declared
here, in the test, registered, and then used through the project form, the upload page, the
API, a worker's task page and the results — with no change to any other code."""

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from microwork.projects.interfaces import REGISTRY, TaskInterface
from microwork.projects.interfaces.fields import Integer, Text
from microwork.projects.models import Project, Task
from microwork.projects.services.projects import project_set_status
from microwork.work.models import Assignment, Submission


class FreeText(TaskInterface):
    key = "free_text"
    title = "Free text"
    description = "Describe what the text says, in your own words."
    template_name = "free_text_task.html"
    config_fields = (
        Text(name="question", label="Question", help="Shown above every task."),
        Integer(
            name="max_length",
            label="Longest answer",
            help="Characters.",
            minimum=1,
            maximum=2000,
            default=280,
        ),
    )
    input_schema = {
        "type": "object",
        "properties": {"text": {"type": "string", "minLength": 1, "description": "To describe."}},
        "required": ["text"],
    }
    answer_schema = {"type": "string", "minLength": 1, "maxLength": 2000}

    def answer_schema_for(self, config: Any) -> dict[str, Any]:
        return {**self.answer_schema, "maxLength": config["max_length"]}


TEMPLATE = (
    '<p class="question">{{ config.question }}</p><p>{{ data.text }}</p>'
    '<textarea name="answer" maxlength="{{ config.max_length }}">{{ draft|default:"" }}</textarea>'
)


@pytest.fixture
def free_text(monkeypatch, settings, tmp_path):
    # A plug-in ships its own template; here it lives in a directory of the test's own.
    (tmp_path / "free_text_task.html").write_text(TEMPLATE)
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], tmp_path]}]
    monkeypatch.setitem(REGISTRY, "free_text", f"{__name__}.FreeText")
    return REGISTRY["free_text"]


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def _json(client, method, url, token, body=None):
    return getattr(client, method)(
        url,
        json.dumps(body) if body is not None else None,
        content_type="application/json",
        headers=_bearer(token),
    )


FORM = {
    "name": "Describe it",
    "description": "Say in a sentence what each text is about.",
    "instructions": "## Examples\n",
    "interface": "free_text",
    "free_text-question": "What is this about?",
    "free_text-max_length": "40",
    "reward": "0.05",
    "currency": "USD",
    "estimated_seconds": "20",
    "overlap": "1",
    "time_limit_seconds": "600",
    "gold_rate": "0",
    "max_open_per_worker": "1",
    "order": "depth_first",
    "auto_approve_seconds": "259200",
}


def test_a_registered_type_works_through_the_pages(
    free_text, client, rita, walt, acme, past_opening_round
):
    client.force_login(rita)
    page = client.get(reverse("projects:create")).content.decode()
    assert "Free text" in page and 'name="free_text-max_length"' in page

    # A setting the type declares is checked by its declaration, and named on the form.
    r = client.post(reverse("projects:create"), {**FORM, "free_text-max_length": "0"})
    assert r.status_code == 400 and "Longest answer" in r.content.decode()
    assert not Project.objects.exists()

    r = client.post(reverse("projects:create"), FORM)
    project = Project.objects.get()
    assert r.status_code == 302
    assert project.config == {"question": "What is this about?", "max_length": 40}

    page = client.get(reverse("projects:upload", args=[project.pk])).content.decode()
    assert "<code>text</code> (required) — To describe." in page
    bad = SimpleUploadedFile("t.csv", b"caption\nhello\n", content_type="text/csv")
    r = client.post(reverse("projects:upload", args=[project.pk]), {"file": bad})
    assert r.status_code == 400 and "Missing column text." in r.content.decode()
    good = SimpleUploadedFile(
        "t.csv", b"id,text,answer\nt1,The sky at dusk,\ng1,Two plus two,four\n", "text/csv"
    )
    r = client.post(reverse("projects:upload", args=[project.pk]), {"file": good})
    assert r.status_code == 302
    assert Task.objects.get(external_id="g1").gold_answer == "four"
    project_set_status(project=project, actor=rita, status="live")
    past_opening_round()

    # Walt gets the task on the page the type's template draws, and answers in his words.
    client.force_login(walt)
    r = client.post(f"/work/p/{project.pk}/start/")
    assignment = Assignment.objects.get(worker=walt)
    page = client.get(r["Location"]).content.decode()
    assert "What is this about?" in page and 'maxlength="40"' in page
    r = client.post(f"/work/a/{assignment.pk}/", {"answer": "x" * 41})
    assert r.status_code == 400 and not Submission.objects.exists()
    r = client.post(f"/work/a/{assignment.pk}/", {"answer": "  Colours of the evening  "})
    assert Submission.objects.get().answer == "Colours of the evening"

    client.force_login(rita)
    download = client.get(f"/api/projects/{project.pk}/answers.csv")
    assert "Colours of the evening" in b"".join(download.streaming_content).decode("utf-8-sig")


def test_a_registered_type_works_through_the_api(
    free_text, client, rita_token, walt_token, acme, past_opening_round
):
    interfaces = client.get("/api/interfaces", headers=_bearer(rita_token)).json()
    described = next(i for i in interfaces if i["key"] == "free_text")
    assert described["config_schema"]["properties"]["max_length"]["maximum"] == 2000
    assert described["input_schema"]["required"] == ["text"]
    assert described["answer_schema"] == {"type": "string", "minLength": 1, "maxLength": 2000}
    # The OpenAPI document shows the new type's shapes beside the built-in ones.
    openapi = client.get("/api/openapi.json").json()
    schemas = openapi["components"]["schemas"]
    answer = schemas["SubmitIn"]["properties"]["answer"]
    assert {"free_text", "single_choice"} <= {s["title"] for s in answer["anyOf"]}
    config = schemas["ProjectIn"]["properties"]["config"]
    assert "free_text" in {s["title"] for s in config["anyOf"]}

    body = {
        "name": "Describe it",
        "description": "Say in a sentence what each text is about.",
        "interface": "free_text",
        "config": {"question": "What is this about?", "max_length": 5000},
        "reward": "0.05",
        "estimated_seconds": 20,
        "overlap": 1,
        "gold_rate": "0",
    }
    r = _json(client, "post", "/api/projects", rita_token, body)
    assert (r.status_code, r.json()["field"]) == (400, "max_length")
    body["config"]["max_length"] = 40
    r = _json(client, "post", "/api/projects", rita_token, body)
    assert r.status_code == 201, r.content
    project = r.json()
    assert project["answer_schema"]["maxLength"] == 40
    pid = project["id"]

    r = _json(client, "post", f"/api/projects/{pid}/tasks", rita_token, {"tasks": [{"x": 1}]})
    assert r.status_code == 400
    assert r.json()["details"][0]["field"] == "text"
    r = _json(
        client, "post", f"/api/projects/{pid}/tasks", rita_token, {"tasks": [{"text": "Rain"}]}
    )
    assert r.status_code == 201, r.content
    r = _json(client, "post", f"/api/projects/{pid}/status", rita_token, {"status": "live"})
    assert r.status_code == 200, r.content
    past_opening_round()

    claim = _json(client, "post", f"/api/work/projects/{pid}/claim", walt_token).json()
    assignment = claim["assignment"]
    assert assignment["data"] == {"text": "Rain"}
    url = f"/api/work/assignments/{assignment['id']}/submit"
    r = _json(client, "post", url, walt_token, {"answer": ""})
    assert (r.status_code, r.json()["field"]) == (400, "answer")
    r = _json(client, "post", url, walt_token, {"answer": "Wet weather"})
    assert r.status_code == 200, r.content
    assert Submission.objects.get().answer == "Wet weather"

    results = client.get(f"/api/projects/{pid}/results", headers=_bearer(rita_token)).json()
    [row] = results["items"]
    assert row["majority_label"] == "Wet weather"


def test_interfaces_endpoint_documents_the_built_in_types(client, rita_token):
    interfaces = client.get("/api/interfaces", headers=_bearer(rita_token)).json()
    by_key = {i["key"]: i for i in interfaces}
    assert set(REGISTRY) <= set(by_key)
    graded = by_key["graded_relevance"]
    assert graded["input_columns"]["required"] == ["query", "result_title"]
    assert [f["name"] for f in graded["config_fields"]] == ["scale", "question"]
    choice = by_key["single_choice"]
    assert choice["input_columns"]["one_of"] == [["text"], ["image_url"]]
    assert choice["answer_field"] == "label"
    r = client.get("/api/interfaces/video_annotation", headers=_bearer(rita_token))
    assert r.status_code == 404 and r.json()["code"] == "unknown_interface"


def test_a_project_carries_its_own_answer_schema(client, rita_token, project):
    r = client.get(f"/api/projects/{project.pk}", headers=_bearer(rita_token))
    assert r.json()["answer_schema"]["enum"] == ["ok", "gory"]


def test_a_flag_setting_reads_ticks_and_words_and_refuses_the_rest():
    from microwork.lib.errors import ApplicationError
    from microwork.projects.interfaces.fields import Flag

    flag = Flag(name="allow_both_bad", label="Offer 'both are bad'")
    assert flag.clean(None) is False
    assert flag.clean(True) is True
    assert flag.clean("yes") is True and flag.clean("0") is False
    assert flag.from_form(True) is True and flag.from_form(False) is False
    with pytest.raises(ApplicationError) as exc:
        flag.clean("perhaps")
    assert exc.value.field == "allow_both_bad"
    assert flag.describe()["value_schema"]["type"] == "boolean"


def test_a_choice_setting_takes_only_its_values():
    from microwork.lib.errors import ApplicationError
    from microwork.projects.interfaces.fields import Choice

    choice = Choice(
        name="checked_by",
        label="Checked by",
        default="consensus",
        choices=(("consensus", "Consensus"), ("reviewers", "Reviewers")),
    )
    assert choice.clean(None) == "consensus"
    assert choice.clean("reviewers") == "reviewers"
    with pytest.raises(ApplicationError) as exc:
        choice.clean("coin toss")
    assert exc.value.field == "checked_by" and "consensus" in exc.value.message
    assert [c[0] for c in choice.form_field().choices] == ["consensus", "reviewers"]
