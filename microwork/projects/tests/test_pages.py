import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from microwork.projects.models import Batch, Project, Task
from microwork.projects.tests.factories import FORM


@pytest.fixture
def rita_client(client, rita):
    client.force_login(rita)
    return client


def test_rita_creates_a_project_through_the_form(rita_client, acme):
    page = rita_client.get(reverse("projects:create"))
    assert page.status_code == 200 and "## Examples" in page.content.decode()
    r = rita_client.post(reverse("projects:create"), FORM)
    project = Project.objects.get()
    assert r.status_code == 302 and r.url == reverse("projects:detail", args=[project.pk])
    assert project.config["labels"][1] == {"value": "gory", "text": "Gory"}


def test_form_shows_the_service_error_on_its_field(rita_client, acme):
    r = rita_client.post(reverse("projects:create"), {**FORM, "overlap": "0"})
    assert r.status_code == 400
    assert "at least 1" in r.content.decode()
    assert not Project.objects.exists()


def test_a_refused_project_form_keeps_what_was_typed_and_names_the_field_in_words(
    rita_client, acme
):
    r = rita_client.post(
        reverse("projects:create"),
        {**FORM, "name": "Cats or dogs", "review_threshold": "0"},
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert 'value="Cats or dogs"' in page
    assert "“Share of reviewers who must accept” is the share of reviewers" in page
    assert "review_threshold is" not in page
    assert not Project.objects.exists()


def test_graded_scale_from_the_form(rita_client, acme):
    r = rita_client.post(
        reverse("projects:create"),
        {
            **FORM,
            "interface": "graded_relevance",
            "graded_relevance-scale": "Bad\nFair\nGood\nPerfect\nWow",
        },
    )
    assert r.status_code == 302
    assert Project.objects.get().config["scale"][-1] == "Wow"


def test_list_detail_upload_status_results(rita_client, project):
    r = rita_client.get(reverse("projects:list"))
    assert r.status_code == 200 and project.name in r.content.decode()
    r = rita_client.post(
        reverse("projects:upload", args=[project.pk]),
        {"file": SimpleUploadedFile("t.csv", b"text,answer\none,\ntwo,gory\n")},
    )
    assert r.status_code == 302 and Task.objects.count() == 2
    page = rita_client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "Go live" in page and "Mark completed" not in page
    assert "an hour" in page
    r = rita_client.post(reverse("projects:status", args=[project.pk]), {"status": "live"})
    assert Project.objects.get(pk=project.pk).status == "live"
    page = rita_client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "Pause" in page and "Go live" not in page
    r = rita_client.get(reverse("results:page", args=[project.pk]))
    # A control shows its expected answer in words (the label), not the stored value.
    assert r.status_code == 200 and "Expected answer: <strong>Gory</strong>" in r.content.decode()
    r = rita_client.get(reverse("results:download", args=[project.pk, "answers", "csv"]))
    assert r.status_code == 200


def test_refused_upload_lists_problems_on_the_page(rita_client, project):
    r = rita_client.post(
        reverse("projects:upload", args=[project.pk]),
        {"file": SimpleUploadedFile("t.csv", b"text,answer\none,maybe\n")},
    )
    assert r.status_code == 400
    assert "Choose one of" in r.content.decode()
    assert not Task.objects.exists() and not Batch.objects.exists()


def test_batch_progress_fragment(rita_client, project):
    rita_client.post(
        reverse("projects:upload", args=[project.pk]),
        {"file": SimpleUploadedFile("t.csv", b"text\none\n")},
    )
    batch = Batch.objects.get()
    r = rita_client.get(reverse("projects:batch_progress", args=[batch.pk]))
    assert r.status_code == 200 and "data-finished" in r.content.decode()


def test_edit_locks_answer_fields_once_answered(rita_client, project, walt):
    from microwork.projects.tests.factories import TaskFactory, stored_answer

    stored_answer(TaskFactory(project=project), walt)
    page = rita_client.get(reverse("projects:edit", args=[project.pk])).content.decode()
    assert "locked" in page.lower()
    r = rita_client.post(
        reverse("projects:edit", args=[project.pk]), {**FORM, "name": "New", "reward": "0.01"}
    )
    assert r.status_code == 400 and "can only be raised" in r.content.decode()
    project.refresh_from_db()
    assert project.name != "New" and str(project.reward) == "0.050000"
    r = rita_client.post(
        reverse("projects:edit", args=[project.pk]), {**FORM, "name": "New", "reward": "0.08"}
    )
    assert r.status_code == 302
    project.refresh_from_db()
    assert project.name == "New" and str(project.reward) == "0.080000"


def test_preview_renders_sanitised_markdown(rita_client, acme):
    r = rita_client.post(reverse("projects:preview"), {"instructions": "**hi** <script>x</script>"})
    assert "<strong>hi</strong>" in r.content.decode() and "<script>" not in r.content.decode()


@pytest.mark.parametrize(
    "name",
    ["projects:detail", "projects:edit", "projects:upload", "results:page"],
)
def test_rob_gets_404_for_ritas_project(client, rob, project, name):
    # Rob belongs to another organisation: Rita's project does not exist for him.
    client.force_login(rob)
    assert client.get(reverse(name, args=[project.pk])).status_code == 404


def test_rob_cannot_change_ritas_status_or_download(client, rob, project):
    client.force_login(rob)
    assert (
        client.post(
            reverse("projects:status", args=[project.pk]), {"status": "archived"}
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("results:download", args=[project.pk, "results", "csv"])).status_code
        == 404
    )
    assert Project.objects.get(pk=project.pk).status == "draft"
    assert project.name not in client.get(reverse("projects:list")).content.decode()


def test_worker_is_refused(client, walt, project):
    # Walt is a worker: requester pages are not for him.
    client.force_login(walt)
    assert client.get(reverse("projects:list")).status_code == 403
    assert client.get(reverse("projects:detail", args=[project.pk])).status_code == 403


def test_anonymous_is_sent_to_log_in(client, project):
    r = client.get(reverse("projects:detail", args=[project.pk]))
    assert r.status_code == 302 and "/accounts/login/" in r.url


def test_rita_sets_the_approval_period_on_the_form(rita_client, acme):
    r = rita_client.post(reverse("projects:create"), {**FORM, "auto_approve_seconds": "86400"})
    assert r.status_code == 302
    project = Project.objects.get()
    assert project.auto_approve_seconds == 86400
    page = rita_client.get(reverse("projects:edit", args=[project.pk])).content.decode()
    assert '<option value="86400" selected>' in page
    page = rita_client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "approved and paid automatically after 1 day" in page
    r = rita_client.post(
        reverse("projects:edit", args=[project.pk]), {**FORM, "auto_approve_seconds": "999999"}
    )
    assert r.status_code == 400 and "Select a valid choice" in r.content.decode()
    project.refresh_from_db()
    assert project.auto_approve_seconds == 86400


def test_a_refused_status_change_goes_back_with_the_reason_typed(rita_client, acme):
    rita_client.post(reverse("projects:create"), FORM)
    project = Project.objects.get()
    # A project with no tasks cannot be paused: it is not live.
    r = rita_client.post(
        reverse("projects:status", args=[project.pk]),
        {"status": "paused", "reason": "Holiday week"},
        follow=True,
    )
    assert r.redirect_chain[-1][0] == reverse("projects:detail", args=[project.pk])
    page = r.content.decode()
    assert 'value="Holiday week"' in page
    project.refresh_from_db()
    assert project.status == Project.Status.DRAFT
