import hashlib
import unicodedata

import django.db.models.functions.text
from django.db import migrations, models

import microwork.accounts.models
from microwork.accounts.usernames import username_skeleton


def _fold(name):
    return unicodedata.normalize("NFKC", name).casefold()


def fill_username_keys(apps, schema_editor):
    """Existing accounts get their folded name and skeleton digest. Where two existing names are one name
    ignoring case, the newer account is renamed "<name>-<id>" (it can still log in by e-mail
    and an operator can rename it); where two only look alike, the newer one keeps an empty
    digest, which the look-alike constraint leaves alone."""
    User = apps.get_model("accounts", "User")
    folded_seen = set()
    skeletons_seen = set()
    for user in User.objects.order_by("pk").iterator():
        name = user.username
        if _fold(name) in folded_seen:
            base = f"{name}-{user.pk}"
            name, n = base, 1
            while _fold(name) in folded_seen or User.objects.filter(username=name).exists():
                n += 1
                name = f"{base}-{n}"
        folded_seen.add(_fold(name))
        digest = hashlib.sha256(username_skeleton(name).encode()).hexdigest()
        if digest in skeletons_seen:
            digest = ""
        else:
            skeletons_seen.add(digest)
        User.objects.filter(pk=user.pk).update(
            username=name, username_folded=_fold(name), username_skeleton=digest
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="username_folded",
            field=models.CharField(db_index=True, default="", editable=False, max_length=300),
        ),
        migrations.AddField(
            model_name="user",
            name="username_skeleton",
            field=models.CharField(db_index=True, default="", editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="user",
            name="username",
            field=models.CharField(
                error_messages={"unique": "That username is taken."},
                help_text="150 characters or fewer: letters, digits and . @ + - _ only.",
                max_length=150,
                unique=True,
                validators=[microwork.accounts.models.validate_username],
                verbose_name="username",
            ),
        ),
        migrations.RunPython(fill_username_keys, migrations.RunPython.noop),
    ]
