from django.db import migrations, models
import django.db.models.functions.text


def forget_login_failures(apps, schema_editor):
    # They were counted per typed name; the new counters are per account. Throttling state
    # only: dropping it loses at most one window of counting.
    apps.get_model("accounts", "LoginFailure").objects.all().delete()


class Migration(migrations.Migration):
    # Separate from 0002: PostgreSQL refuses to alter a table in the transaction that just
    # updated its rows.
    dependencies = [
        ("accounts", "0002_username_skeleton"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("username"),
                name="user_username_ignoring_case",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                condition=models.Q(("username_folded", ""), _negated=True),
                fields=("username_folded",),
                name="user_username_folded_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                condition=models.Q(("username_skeleton", ""), _negated=True),
                fields=("username_skeleton",),
                name="user_username_no_lookalike",
            ),
        ),
        migrations.RunPython(forget_login_failures, migrations.RunPython.noop),
        migrations.RemoveField(model_name="loginfailure", name="username"),
        migrations.AddField(
            model_name="loginfailure",
            name="account",
            field=models.CharField(default="", max_length=300),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="loginfailure",
            index=models.Index(fields=["account", "at"], name="loginfailure_account_at"),
        ),
        migrations.AddIndex(
            model_name="loginfailure",
            index=models.Index(fields=["ip", "at"], name="loginfailure_ip_at"),
        ),
        migrations.CreateModel(
            name="PasswordResetRequest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("email", models.CharField(max_length=254)),
                ("ip", models.GenericIPAddressField(blank=True, null=True)),
                ("at", models.DateTimeField(db_index=True)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["email", "at"], name="passwordreset_email_at"),
                    models.Index(fields=["ip", "at"], name="passwordreset_ip_at"),
                ],
            },
        ),
    ]
