"""The project dashboard: progress with a completion estimate, money spent and committed,
answers per hour, workers, agreement and control accuracy, the real hourly rate; each plot an
SVG with a title, a description and its numbers as text."""

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from microwork.quality.tests.helpers import fund, make_project, make_tasks, submit
from microwork.review.dashboard import estimate, project_dashboard


def test_dashboard_shows_progress_money_workers_and_accessible_plots(
    client, rita, rob, walt, nina, omar
):
    project = make_project(owner=rita, overlap=2, status="draft")
    fund(project, omar, "50")
    tasks = make_tasks(project, 4)
    make_tasks(project, 1, gold=True)
    from microwork.projects.services.projects import project_set_status

    project_set_status(project=project, actor=rita, status="live")
    for task in tasks[:2]:
        submit(task=task, worker=walt, label="cat")
        submit(task=task, worker=nina, label="dog")

    client.force_login(rob)
    assert client.get(reverse("review:dashboard", args=[project.pk])).status_code == 404
    client.force_login(rita)
    html = client.get(reverse("review:dashboard", args=[project.pk])).content.decode()
    assert "4 of 8 answers" in html
    assert 'id="dash-workers">2<' in html
    # Escrow holds the rest; nothing is paid before approval.
    assert "held in escrow" in html and "USD" in html
    assert html.count('role="img"') == 4
    assert html.count("<title id=") == 4 and html.count("<desc id=") == 4
    assert "Answers per hour, last 24 hours" in html and "The numbers" in html
    assert "<script" not in html.split("<main>")[1]


def test_completion_estimate_follows_the_last_days_pace(rita, walt, omar):
    project = make_project(owner=rita, overlap=1)
    now = timezone.now()
    pace = estimate(project=project, answers=0, wanted=10, now=now)
    assert pace.done_at is None and pace.remaining == 10
    tasks = make_tasks(project, 10)
    from microwork.quality.tests.helpers import answer

    for i, task in enumerate(tasks[:4]):
        answer(
            task=task, worker=walt, label="cat", at=now - timedelta(hours=4 - i), run_hooks=False
        )
    pace = estimate(project=project, answers=4, wanted=10, now=now)
    # 4 answers over the 4 hours since the first: one an hour, 6 to go.
    assert round(pace.per_hour, 2) == 1.0
    assert abs((pace.done_at - now) - timedelta(hours=6)) < timedelta(minutes=1)
    data = project_dashboard(project=project, now=now)
    assert data["pace"].remaining == 6
    assert data["hourly_rate"] is None or Decimal("0") <= Decimal(data["hourly_rate"].split()[0])
