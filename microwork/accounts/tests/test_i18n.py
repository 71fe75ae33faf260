"""The French translation: pages really come out in French, and the catalogue stays complete.

When someone adds or changes a string, the catalogue tests fail until it is translated:
run `django-admin makemessages -l fr --ignore "tests/*" --ignore "*/tests/*" --no-obsolete`
from microwork/, translate the new entries, then `django-admin compilemessages -l fr`.
"""

import gettext
import os
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

APP_DIR = Path(__file__).resolve().parents[2]
PO_PATH = APP_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# Python %-format conversions (named or not, with flags, width and precision), %% included.
PRINTF = re.compile(r"%(?:\([^)]*\))?[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
NAMED = re.compile(r"%\([^)]*\)[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa]")
BRACES = re.compile(r"\{[A-Za-z_]\w*\}")
TAGS = re.compile(r"</?[A-Za-z][^<>]*>")


@pytest.fixture(autouse=True)
def _back_to_english():
    # The language middleware activates the profile's language in this thread; leave it clean.
    yield
    translation.deactivate()


# --- The pages -------------------------------------------------------------------------------


def test_worker_home_is_in_french(client, nina):
    client.force_login(nina)
    r = client.get(reverse("work:home"), HTTP_ACCEPT_LANGUAGE="fr")
    assert r.status_code == 200
    html = r.content.decode()
    assert '<html lang="fr">' in html
    assert "Travail disponible" in html
    assert "Comment le travail est partagé" in html
    assert "Se déconnecter" in html
    assert "Available work" not in html


def test_profile_page_is_in_french(client, nina):
    client.force_login(nina)
    r = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="fr")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Votre compte" in html
    assert "Profil de travailleur" in html
    assert "Changer le mot de passe" in html
    assert "Your account" not in html


def test_profile_language_wins_over_the_browser(client, nina):
    # Nina chose French in her profile: a shared phone set to English does not change that.
    client.force_login(nina)
    r = client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Votre compte" in r.content.decode()


def test_login_page_follows_accept_language(client, db):
    r = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="fr")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Se connecter" in html
    assert "Pas encore de compte" in html
    assert "Mot de passe" in html
    assert "New here?" not in html

    r = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en")
    assert "New here?" in r.content.decode()


def test_french_error_message_on_failed_login(client, nina):
    r = client.post(
        reverse("accounts:login"),
        {"username": "nina", "password": "wrong-password"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert "Nom d’utilisateur ou mot de passe incorrect." in r.content.decode()


# --- The catalogue ---------------------------------------------------------------------------


def _unquote(s: str) -> str:
    s = s.strip()
    assert s.startswith('"') and s.endswith('"'), s
    body = s[1:-1]
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), body)


def parse_po(path: Path) -> list[dict]:
    """A small .po reader: msgctxt, msgid, msgid_plural, msgstr / msgstr[n] and flags."""
    entries, entry, field = [], None, None

    def flush():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if entry is not None and "msgid" in entry:
                flush()
                entry = None
            entry = entry or {"flags": set(), "msgstr": {}}
            if line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith('"'):
            if field[0] == "msgstr":
                entry["msgstr"][field[1]] += _unquote(line)
            else:
                entry[field[0]] += _unquote(line)
            continue
        keyword, _space, value = line.partition(" ")
        if keyword in ("msgctxt", "msgid") and entry is not None and "msgid" in entry:
            flush()
            entry = None
        entry = entry or {"flags": set(), "msgstr": {}}
        m = re.fullmatch(r"msgstr(?:\[(\d+)\])?", keyword)
        if m:
            field = ("msgstr", int(m.group(1) or 0))
            entry["msgstr"][field[1]] = _unquote(value)
        else:
            field = (keyword, None)
            entry[keyword] = _unquote(value)
    flush()
    return entries


def _placeholders(text: str, *, python_format: bool) -> Counter:
    found = (PRINTF if python_format else NAMED).findall(text)
    return Counter(found + BRACES.findall(text) + TAGS.findall(text))


def _label(e: dict) -> str:
    return repr(e["msgid"][:70])


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    assert PO_PATH.exists(), "the French catalogue is missing"
    return parse_po(PO_PATH)


def test_catalogue_header_uses_french_plurals(catalogue):
    header = next(e for e in catalogue if e["msgid"] == "" and "msgctxt" not in e)
    assert "Language: fr\n" in header["msgstr"][0]
    assert "Plural-Forms: nplurals=2; plural=(n > 1);" in header["msgstr"][0]
    assert "fuzzy" not in header["flags"]


def test_every_entry_is_translated_and_not_fuzzy(catalogue):
    entries = [e for e in catalogue if e["msgid"]]
    assert len(entries) > 500
    problems = []
    for e in entries:
        if "fuzzy" in e["flags"]:
            problems.append(f"fuzzy: {_label(e)}")
        wanted = 2 if "msgid_plural" in e else 1
        forms = [e["msgstr"].get(i, "") for i in range(wanted)]
        if not all(f.strip() for f in forms):
            problems.append(f"untranslated: {_label(e)}")
    assert not problems, "\n".join(problems)


def test_placeholders_survive_translation(catalogue):
    problems = []
    for e in (e for e in catalogue if e["msgid"]):
        python_format = "python-format" in e["flags"]
        source = _placeholders(e["msgid"], python_format=python_format)
        if "msgid_plural" in e:
            plural = _placeholders(e["msgid_plural"], python_format=python_format)
            # French uses its first form for 0 and 1: it may name the count even when the
            # English singular does not.
            pairs = [
                (e["msgstr"].get(0, ""), (source, plural)),
                (e["msgstr"].get(1, ""), (plural,)),
            ]
        else:
            pairs = [(e["msgstr"].get(0, ""), (source,))]
        for text, allowed in pairs:
            if text and _placeholders(text, python_format=python_format) not in allowed:
                got = sorted(_placeholders(text, python_format=python_format).elements())
                problems.append(f"{_label(e)}: {got} vs {sorted(allowed[0].elements())}")
    assert not problems, "\n".join(problems)


def test_compiled_catalogue_matches_the_po(catalogue):
    # The .mo is committed (a fresh machine may lack gettext): it must be compiled from this .po.
    assert MO_PATH.exists(), "run django-admin compilemessages -l fr"
    with MO_PATH.open("rb") as f:
        compiled = gettext.GNUTranslations(f)._catalog
    stale = []
    for e in (e for e in catalogue if e["msgid"]):
        key = f"{e['msgctxt']}\x04{e['msgid']}" if "msgctxt" in e else e["msgid"]
        if "msgid_plural" in e:
            ok = all(compiled.get((key, i)) == e["msgstr"].get(i) for i in (0, 1))
        else:
            ok = compiled.get(key) == e["msgstr"].get(0)
        if not ok:
            stale.append(_label(e))
    assert not stale, "the .mo is out of date, run compilemessages:\n" + "\n".join(stale)


def test_catalogue_has_every_marked_string(tmp_path, settings, monkeypatch, catalogue):
    if shutil.which("xgettext") is None:
        # Skipping in CI would let an untranslated string through unseen.
        if os.environ.get("CI"):
            pytest.fail("GNU gettext (xgettext) is missing: CI must check the catalogue")
        pytest.skip("GNU gettext is not installed")
    # Extract the strings from a copy of the sources, so the real catalogue is never touched.
    copy = tmp_path / "microwork"
    shutil.copytree(
        APP_DIR,
        copy,
        ignore=shutil.ignore_patterns("tests", "locale", "__pycache__", "static", "*.pyc"),
    )
    (copy / "locale").mkdir()
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["fr"], no_obsolete=True, verbosity=0)
    extracted = parse_po(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po")

    known = {(e.get("msgctxt"), e["msgid"], e.get("msgid_plural")) for e in catalogue}
    missing = [
        _label(e)
        for e in extracted
        if e["msgid"] and (e.get("msgctxt"), e["msgid"], e.get("msgid_plural")) not in known
    ]
    assert not missing, "not in the French catalogue, run makemessages:\n" + "\n".join(missing)


# The placeholders the code fills with a moment (l10n.datetime_text, the `moment` filter), and
# the one sentence whose %(time)s is a time of day only (« vous pourrez continuer à 14:05 »).
MOMENT_PLACEHOLDERS = ("time", "when", "at", "until", "reset", "deadline", "date")
TIME_OF_DAY_ONLY = ("you can continue at %(time)s UTC.",)


def test_no_french_sentence_puts_a_moment_after_a(catalogue):
    # French writes a moment « 3 déc. 2026 à 14:05 »: after « à » it would say « à » twice.
    moment = "3 déc. 2026 à 14:05"
    names = "|".join(MOMENT_PLACEHOLDERS)
    doubled = []
    for e in catalogue:
        if not e["msgid"] or e["msgid"].endswith(TIME_OF_DAY_ONLY):
            continue
        for text in e["msgstr"].values():
            filled = re.sub(r"%\((" + names + r")\)s|\{\{ ?(" + names + r") ?\}\}", moment, text)
            if re.search(r"(?<![\w’'])à " + re.escape(moment), filled):
                doubled.append(_label(e))
    assert doubled == []
