"""The Django admin shows operators everything about projects, batches and tasks, and changes
nothing: every change goes through a service, with its checks, locks, escrow and log."""

import pytest

from microwork.projects.models import Batch, Project, Task
from microwork.projects.tests.factories import TaskFactory


@pytest.fixture
def omar_client(client, omar):
    # Omar, with every permission the admin can grant, so only the admin's own rules stop him.
    omar.is_superuser = True
    omar.save(update_fields=["is_superuser"])
    client.force_login(omar)
    return client


def test_omar_sees_a_projects_settings_and_history(omar_client, project):
    page = omar_client.get(f"/admin/projects/project/{project.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Image moderation" in html and "single_choice" in html and "0.05" in html
    assert "draft" in html  # the creation event, in the history under the project
    assert omar_client.get("/admin/projects/project/").status_code == 200


def test_omar_cannot_edit_a_project_around_its_services(omar_client, project):
    url = f"/admin/projects/project/{project.pk}/change/"
    r = omar_client.post(url, {"reward": "0.01", "overlap": "9", "interface": "graded_relevance"})
    assert r.status_code == 403
    project.refresh_from_db()
    assert (str(project.reward), project.overlap, project.interface) == (
        "0.050000",
        3,
        "single_choice",
    )
    assert omar_client.get("/admin/projects/project/add/").status_code == 403
    assert omar_client.post(f"/admin/projects/project/{project.pk}/delete/").status_code == 403
    assert Project.objects.filter(pk=project.pk).exists()


def test_omar_cannot_edit_tasks_or_batches(omar_client, project):
    task = TaskFactory(project=project)
    assert omar_client.get(f"/admin/projects/task/{task.pk}/change/").status_code == 200
    r = omar_client.post(f"/admin/projects/task/{task.pk}/change/", {"is_gold": "on"})
    assert r.status_code == 403
    r = omar_client.post(f"/admin/projects/batch/{task.batch_id}/change/", {"status": "failed"})
    assert r.status_code == 403
    task.refresh_from_db()
    assert not task.is_gold
    assert Batch.objects.get(pk=task.batch_id).status == Batch.Status.DONE
    assert Task.objects.count() == 1
