"""The first version of the terms of use and privacy notice, in English and French, read from
microwork/accounts/terms_text/1/. Those files are never edited once released: a change is a new
version with its own folder and migration (docs/terms.md)."""

from datetime import UTC, datetime
from pathlib import Path

from django.db import migrations

TEXT = Path(__file__).resolve().parent.parent / "terms_text" / "1"
EFFECTIVE = datetime(2026, 12, 1, tzinfo=UTC)


def create(apps, schema_editor):
    TermsVersion = apps.get_model("accounts", "TermsVersion")
    if TermsVersion.objects.filter(number=1).exists():
        return
    words = {
        f"{part}_{lang}": (TEXT / f"{part}.{lang}.md").read_text(encoding="utf-8").strip()
        for part in ("summary", "text")
        for lang in ("en", "fr")
    }
    TermsVersion.objects.create(number=1, effective_at=EFFECTIVE, **words)


def remove(apps, schema_editor):
    TermsVersion = apps.get_model("accounts", "TermsVersion")
    TermsVersion.objects.filter(number=1, acceptances__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_terms_versions")]
    operations = [migrations.RunPython(create, remove)]
