"""After a long stretch of disturbing items without a pause, the task page suggests a break;
the worker may take it (the task goes back, without penalty) or carry on."""

from datetime import UTC, datetime, timedelta

import time_machine

from microwork.wellbeing.selectors import stretch_for
from microwork.wellbeing.tests.conftest import disturbing_project
from microwork.work.models import Assignment
from microwork.work.services.claiming import assignment_claim
from microwork.work.services.submitting import submission_create
from microwork.work.tests.factories import add_tasks, live_project

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
REMINDER = "Take a break"


def _items(worker, project, start, n, every=timedelta(minutes=2)):
    """n items, one every `every`, each answered a minute after it was taken."""
    moment = start
    for _i in range(n):
        with time_machine.travel(moment, tick=False):
            assignment = assignment_claim(worker=worker, project=project)
        with time_machine.travel(moment + timedelta(minutes=1), tick=False):
            submission_create(assignment=assignment, worker=worker, answer="ok", active_ms=9000)
        moment += every
    return moment


def _task_page(client, worker, project, at):
    with time_machine.travel(at, tick=False):
        assignment = assignment_claim(worker=worker, project=project)
        client.force_login(worker)
        return assignment, client.get(f"/work/a/{assignment.pk}/").content.decode()


def test_the_reminder_shows_after_twenty_minutes_without_a_pause(
    client, walt, rita, walt_sees_violence
):
    project = disturbing_project(rita, tasks=20)
    end = _items(walt, project, T0, 6)  # 12 minutes
    _a, page = _task_page(client, walt, project, end)
    assert REMINDER not in page
    end = _items(walt, project, end + timedelta(minutes=2), 5)  # 10 more, no pause
    assignment, page = _task_page(client, walt, project, end)
    assert REMINDER in page
    assert "for 24 minutes (12 items) without a pause" in page
    assert f'action="/wellbeing/break/{assignment.pk}/"' in page
    # The worker may carry on: the task is there to answer.
    assert 'id="task-form"' in page


def test_a_five_minute_pause_starts_a_new_stretch(client, walt, rita, walt_sees_violence):
    project = disturbing_project(rita, tasks=20)
    end = _items(walt, project, T0, 11)
    # The last item was answered a minute after it was taken; six minutes after that, fresh.
    _a, page = _task_page(client, walt, project, end - timedelta(minutes=1) + timedelta(minutes=5))
    assert REMINDER not in page
    assert stretch_for(worker=walt, now=end + timedelta(minutes=4)).items == 1


def test_ordinary_work_in_between_is_a_pause(client, walt, rita, walt_sees_violence):
    project = disturbing_project(rita, tasks=20)
    plain = live_project(rita, name="Cats", disturbing_content=[])
    add_tasks(plain, 10)
    end = _items(walt, project, T0, 11)
    end = _items(walt, plain, end, 4)  # eight minutes of cats
    _a, page = _task_page(client, walt, project, end)
    assert REMINDER not in page


def test_the_reminder_shows_after_many_items_in_a_short_stretch(
    client, walt, rita, walt_sees_violence, settings
):
    settings.WELLBEING_BREAK_AFTER_ITEMS = 5
    project = disturbing_project(rita, tasks=10)
    end = _items(walt, project, T0, 4, every=timedelta(seconds=20))
    _a, page = _task_page(client, walt, project, end)
    assert REMINDER in page


def test_taking_the_break_gives_the_task_back(client, walt, rita, walt_sees_violence):
    project = disturbing_project(rita, tasks=20)
    end = _items(walt, project, T0, 11)
    assignment, page = _task_page(client, walt, project, end)
    with time_machine.travel(end, tick=False):
        r = client.post(f"/wellbeing/break/{assignment.pk}/", follow=True)
    assert "Look away from the screen for at least 5 minutes" in r.content.decode()
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.RETURNED


def test_no_reminder_on_an_ordinary_project(client, walt, rita):
    plain = live_project(rita, name="Cats", disturbing_content=[])
    add_tasks(plain, 20)
    end = _items(walt, plain, T0, 15)
    _a, page = _task_page(client, walt, plain, end)
    assert REMINDER not in page
