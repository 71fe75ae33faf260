"""The demo's photo and voice projects: live, declared, and left to people. Nothing in them is
made up by the simulated crowd, and the voice project asks for consent before its first
task."""

import pytest

from microwork.demo.seed import demo_load
from microwork.projects.models import Project
from microwork.work.models import Submission


@pytest.mark.slow
def test_the_photo_and_voice_demos_are_live_declared_and_unanswered(db, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    demo_load(crowd_size=2, answers_per_worker=1)
    voice = Project.objects.get(interface="voice_recording")
    photo = Project.objects.get(interface="photo_collection")
    assert voice.status == photo.status == Project.Status.LIVE
    assert voice.personal_data == ["voice"] and voice.personal_data_retention_days == 365
    assert photo.personal_data == []
    assert not Submission.objects.filter(project__in=[voice, photo]).exists()
    assert voice.tasks.count() == 8 and photo.tasks.count() == 6

    # Walt reads the declaration before he can record: no consent, no task.
    client.login(username="walt", password="demo-pass-2026")
    page = client.get("/work/").content.decode()
    assert "Read sentences aloud" in page and "Pharmacy opening hours" in page
    r = client.post(f"/work/p/{voice.pk}/start/", follow=True)
    assert not Submission.objects.filter(project=voice).exists()
    assert "agree" in r.content.decode().lower()

    # A project answered live: its statement on Walt's live page, nothing uploaded ahead.
    live = Project.objects.get(live_setup__isnull=False)
    assert live.status == Project.Status.LIVE and not live.tasks.exists()
    page = client.get("/live/").content.decode()
    assert live.name.replace("'", "&#x27;") in page and "chat assistant" in page


@pytest.mark.slow
def test_the_demo_people_signed_up_under_the_terms_in_force(db, settings, tmp_path):
    from microwork.accounts.models import User
    from microwork.accounts.terms import terms_to_accept

    settings.MEDIA_ROOT = tmp_path
    demo_load(crowd_size=1, answers_per_worker=1)
    for name in ("rita", "walt", "nina", "crowd01"):
        assert terms_to_accept(user=User.objects.get(username=name)) is None
