"""Quality's and work's old inbox lines move to the one inbox, read or not, with what they
referred to, when the database is migrated."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("inbox", "0001_initial"),
    ("quality", "0003_approval_rules"),
    ("work", "0004_releases_and_dry_requests"),
]
AFTER = [
    ("inbox", "0002_lines_from_quality_and_work"),
    ("quality", "0004_inbox_moved"),
    ("work", "0005_inbox_moved"),
]


@pytest.mark.django_db(transaction=True)
def test_old_lines_are_copied_into_the_inbox(rita, walt):
    from microwork.work.tests.factories import live_project

    project = live_project(rita)
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        now = timezone.now()
        old.get_model("quality", "Notification").objects.create(
            user_id=rita.pk,
            kind="pay_floor",
            params={"project": "Image moderation"},
            created_at=now,
            read_at=now,
        )
        old.get_model("work", "Notification").objects.create(
            worker_id=walt.pk, kind="project_opened", project_id=project.pk, created_at=now
        )

        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps
        lines = {n.kind: n for n in new.get_model("inbox", "Notification").objects.order_by("kind")}
        assert set(lines) == {"pay_floor", "project_opened"}
        floor, opened = lines["pay_floor"], lines["project_opened"]
        assert floor.user_id == rita.pk and floor.read_at == now
        assert floor.params == {
            "project": "Image moderation",
            "decision_id": None,
            "appeal_id": None,
        }
        assert opened.user_id == walt.pk and opened.read_at is None
        assert opened.params == {"project_id": project.pk}
    finally:
        # Back to the latest state of every app, for the tests after this one, pass or fail.
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
