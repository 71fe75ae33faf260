"""Quality and work kept an inbox each; their lines move here, read or not, before those
tables go (quality 0004, work 0005)."""

from django.db import migrations

BATCH = 2000


def copy_lines(apps, schema_editor):
    Notification = apps.get_model("inbox", "Notification")
    old_quality = apps.get_model("quality", "Notification")
    old_work = apps.get_model("work", "Notification")
    rows = []
    for n in old_quality.objects.order_by("pk").iterator(chunk_size=BATCH):
        params = {**(n.params or {}), "decision_id": n.decision_id, "appeal_id": n.appeal_id}
        rows.append(
            Notification(
                user_id=n.user_id,
                kind=n.kind,
                params=params,
                created_at=n.created_at,
                read_at=n.read_at,
            )
        )
    for n in old_work.objects.order_by("pk").iterator(chunk_size=BATCH):
        rows.append(
            Notification(
                user_id=n.worker_id,
                kind=n.kind,
                params={"project_id": n.project_id},
                created_at=n.created_at,
                read_at=n.read_at,
            )
        )
    Notification.objects.bulk_create(rows, batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("inbox", "0001_initial"),
        ("quality", "0003_approval_rules"),
        ("work", "0004_releases_and_dry_requests"),
    ]

    operations = [migrations.RunPython(copy_lines, migrations.RunPython.noop)]
