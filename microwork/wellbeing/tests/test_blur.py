"""Every page that puts a disturbing task in front of a worker wraps it in the blur: the task
page of each kind that shows pictures or video, and a project's test questions."""

import pytest
from django.urls import reverse
from django.utils import timezone

from microwork.quality.models import TestAttempt
from microwork.quality.services.exams import qualification_test_create
from microwork.wellbeing.tests.conftest import disturbing_project
from microwork.work.services.claiming import assignment_claim
from microwork.work.tests.factories import add_tasks, live_project

COVER = 'id="disturbing-show"'

KINDS = {
    "bounding_boxes": (
        {"question": "Box the weapons", "labels": ["gun|Gun"]},
        {"image_url": "https://img.example/1.jpg"},
    ),
    "video_rating": (
        {"question": "Fine?", "labels": ["ok|Fine", "gory|Gory"]},
        {"video_url": "https://media.example/1.webm"},
    ),
    "pairwise": (
        {"question": "Which is worse?"},
        {"a_image_url": "https://img.example/a.jpg", "b_image_url": "https://img.example/b.jpg"},
    ),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_task_page_of_each_picture_kind_is_blurred(
    client, walt, rita, walt_sees_violence, kind
):
    config, data = KINDS[kind]
    project = disturbing_project(rita, tasks=1, interface=kind, config=config)
    task = project.tasks.get()
    task.data = data
    task.save(update_fields=["data"])
    assignment = assignment_claim(worker=walt, project=project)
    client.force_login(walt)
    page = client.get(f"/work/a/{assignment.pk}/").content.decode()
    assert COVER in page and 'class="disturbing"' in page
    assert "microwork/disturbing.css" in page and "microwork/disturbing.js" in page
    assert "This project may show: Violence and gore." in page


def test_an_ordinary_task_page_has_no_cover(client, walt, rita):
    project = live_project(rita, disturbing_content=[])
    add_tasks(project, 1)
    assignment = assignment_claim(worker=walt, project=project)
    client.force_login(walt)
    page = client.get(f"/work/a/{assignment.pk}/").content.decode()
    assert COVER not in page


def test_a_projects_test_questions_are_blurred_too(client, walt, rita, time_machine):
    project = disturbing_project(rita, tasks=2)
    gold = list(project.tasks.all())
    for task in gold:
        task.is_gold = True
        task.gold_answer = "ok"
        task.save(update_fields=["is_gold", "gold_answer"])
    test = qualification_test_create(
        project=project,
        name="Check",
        mode="training",
        task_ids=[t.pk for t in gold],
        question_count=2,
        pass_mark="0",
    )
    client.force_login(walt)
    time_machine.move_to(timezone.now(), tick=False)
    client.post(reverse("quality:test_start", args=[test.pk]))
    attempt = TestAttempt.objects.get()
    page = client.get(reverse("quality:attempt", args=[attempt.pk])).content.decode()
    assert COVER in page and "microwork/disturbing.css" in page
