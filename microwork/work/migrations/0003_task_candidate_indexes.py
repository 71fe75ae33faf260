"""Indexes for the scheduler's candidate query on projects_task.

They live with the scheduler because only its query uses them: each matches one task order
(depth first, breadth first, priority) on the open ordinary tasks of a project, so a claim
reads a handful of index entries instead of sorting every open task."""

from django.db import migrations

INDEXES = {
    "work_task_depth_first": "(project_id, answers_count DESC, id)",
    "work_task_breadth_first": "(project_id, answers_count, id)",
    "work_task_priority": "(project_id, priority DESC, answers_count DESC, id)",
}


def _predicate(vendor: str) -> str:
    # Written the way Django writes `done=False, is_gold=False` for each database, so the
    # planner sees the query implies the index's condition.
    if vendor == "sqlite":
        return "done = 0 AND is_gold = 0"
    return "NOT done AND NOT is_gold"


def create(apps, schema_editor):
    where = _predicate(schema_editor.connection.vendor)
    for name, columns in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON projects_task {columns} WHERE {where}"
        )


def drop(apps, schema_editor):
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0002_batch_progress_and_dedup"),
        ("work", "0002_allocationround_assignmentevent_notification_and_more"),
    ]

    operations = [migrations.RunPython(create, drop)]
