"""An uploaded file is seen by the members of the organisation that owns it, by operators, and
by the workers holding a task of its project that uses it — nobody else, neither where the
address is made nor where the file is served."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from microwork.accounts.models import Membership
from microwork.projects.media import media_url
from microwork.projects.media.addresses import sign
from microwork.projects.services.media import media_file_store
from microwork.projects.templatetags.media import media_thumb
from microwork.projects.tests.media_samples import MP4, PNG, WAV
from microwork.quality.tests.helpers import fund, make_project, make_tasks
from microwork.work.models import Assignment


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def project(rita, omar):
    project = make_project(owner=rita)
    fund(project, omar)
    return project


@pytest.fixture
def cat(project, rita):
    return media_file_store(project=project, actor=rita, name="cat.png", file=ContentFile(PNG))


def _task(project, ref):
    task = make_tasks(project, 1)[0]
    task.data = {"text": "Which animal?", "image_url": ref}
    task.save(update_fields=["data"])
    return task


def _lease(task, worker, status=Assignment.Status.LEASED):
    now = timezone.now()
    return Assignment.objects.create(
        project=task.project,
        task=task,
        worker=worker,
        leased_at=now,
        expires_at=now + timedelta(minutes=10),
        status=status,
    )


def _fetch(client, user, url):
    client.force_login(user)
    return client.get(url)


def _forged(user, media_file):
    """The address the view would take from `user`, had a page made one for them."""
    name = media_file.storage_name
    return f"{reverse('media', kwargs={'path': name})}?t={sign(user.pk, name)}"


@pytest.mark.parametrize("who", ["rita", "omar"])
def test_the_owning_organisation_and_operators_see_it(client, cat, who, request):
    user = request.getfixturevalue(who)
    url = media_url(cat.ref, user=user)
    assert url.startswith(f"/media/{cat.storage_name}?t=")
    r = _fetch(client, user, url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == PNG
    assert r["Content-Type"] == "image/png" and r["X-Content-Type-Options"] == "nosniff"


def test_the_worker_holding_a_task_that_uses_it_sees_it(client, project, cat, walt):
    _lease(_task(project, cat.ref), walt)
    r = _fetch(client, walt, media_url(cat.ref, user=walt))
    assert r.status_code == 200


def test_a_worker_who_did_the_task_still_sees_it(client, project, cat, walt):
    _lease(_task(project, cat.ref), walt, status=Assignment.Status.SUBMITTED)
    assert _fetch(client, walt, _forged(walt, cat)).status_code == 200


@pytest.mark.parametrize("status", [Assignment.Status.RETURNED, Assignment.Status.EXPIRED])
def test_a_worker_who_gave_the_task_back_does_not(client, project, cat, walt, status):
    _lease(_task(project, cat.ref), walt, status=status)
    assert media_url(cat.ref, user=walt) == ""
    assert _fetch(client, walt, _forged(walt, cat)).status_code == 403


def test_a_worker_whose_task_uses_another_file_gets_neither_address_nor_file(
    client, project, rita, cat, nina
):
    dog = media_file_store(
        project=project, actor=rita, name="dog.png", file=ContentFile(PNG + b"dog")
    )
    _lease(_task(project, dog.ref), nina)
    assert media_url(cat.ref, user=nina) == ""
    assert _fetch(client, nina, _forged(nina, cat)).status_code == 403
    assert _fetch(client, nina, _forged(nina, dog)).status_code == 200


def test_a_worker_without_any_task_of_the_project(client, cat, walt):
    assert media_url(cat.ref, user=walt) == ""
    assert _fetch(client, walt, _forged(walt, cat)).status_code == 403


def test_another_organisation_never_gets_it(client, cat, rob):
    assert media_url(cat.ref, user=rob) == ""
    assert _fetch(client, rob, _forged(rob, cat)).status_code == 403


def test_copying_the_ref_into_another_organisations_task_does_not_open_it(
    client, cat, rob, omar, walt
):
    # Rob puts Rita's file's ref in his own project's task: neither he nor his worker gets it.
    robs = make_project(owner=rob)
    fund(robs, omar)
    _lease(_task(robs, cat.ref), walt)
    assert media_url(cat.ref, user=rob) == ""
    assert media_url(cat.ref, user=walt) == ""
    assert _fetch(client, walt, _forged(walt, cat)).status_code == 403
    assert _fetch(client, rob, _forged(rob, cat)).status_code == 403


def test_a_member_who_left_the_organisation_loses_it(client, cat, rita):
    url = media_url(cat.ref, user=rita)
    Membership.objects.filter(user=rita).delete()
    assert _fetch(client, rita, url).status_code == 403


def test_a_workers_address_is_his_alone(client, project, cat, walt, nina, rita):
    _lease(_task(project, cat.ref), walt)
    url = media_url(cat.ref, user=walt)
    _lease(_task(project, cat.ref), nina)
    # Nina may see the file too, but not with Walt's address.
    assert _fetch(client, nina, url).status_code == 403
    assert _fetch(client, rita, url).status_code == 403


def test_the_worker_task_page_and_api_show_it(client, project, cat, walt, rob):
    from microwork.accounts import services as account_services

    assignment = _lease(_task(project, cat.ref), walt)
    client.force_login(walt)
    page = client.get(reverse("work:task", args=[assignment.pk])).content.decode()
    assert f'src="/media/{cat.storage_name}?t=' in page
    _t, key = account_services.api_token_create(user=walt, name="phone")
    auth = {"Authorization": f"Bearer {key}"}
    client.logout()
    r = client.get(f"/api/work/assignments/{assignment.pk}", headers=auth)
    url = r.json()["data"]["image_url"]
    got = client.get(url, headers={**auth, "Range": "bytes=0-7"})
    assert got.status_code == 206 and b"".join(got.streaming_content) == PNG[:8]


def test_thumbnails_by_kind(rf, project, rita):
    from django.template import Context

    request = rf.get("/")
    request.user = rita
    context = Context({"request": request})
    picture = media_file_store(project=project, actor=rita, name="a.png", file=ContentFile(PNG))
    sound = media_file_store(project=project, actor=rita, name="a.wav", file=ContentFile(WAV))
    film = media_file_store(project=project, actor=rita, name="a.mp4", file=ContentFile(MP4))
    assert str(media_thumb(context, picture.ref)).startswith('<img class="thumb" src="/media/')
    assert '<audio class="thumb-audio " controls preload="none" src="/media/' in str(
        media_thumb(context, sound.ref)
    )
    assert '<video class="thumb-video " controls preload="metadata" src="/media/' in str(
        media_thumb(context, film.ref)
    )
    assert media_thumb(context, "https://img.example/x.png").startswith('<img class="thumb"')
    assert media_thumb(context, "javascript:alert(1)") == ""
    request.user = rita.__class__.objects.get(username="rita")
    assert "task-image thumb" in media_thumb(context, picture.ref, "task-image thumb")


def test_the_results_page_shows_the_uploaded_picture(client, project, cat, rita, walt):
    from microwork.quality.tests.helpers import submit

    submit(task=_task(project, cat.ref), worker=walt, label="cat")
    client.force_login(rita)
    page = client.get(reverse("results:page", args=[project.pk])).content.decode()
    assert f'<img class="task-image thumb" src="/media/{cat.storage_name}?t=' in page


def test_a_worker_taking_a_test_that_asks_the_task_sees_it(client, project, cat, walt, nina):
    from microwork.quality.models import TestAttempt
    from microwork.quality.services.exams import qualification_test_create

    task = _task(project, cat.ref)
    task.is_gold = True
    task.gold_answer = "cat"
    task.save(update_fields=["is_gold", "gold_answer"])
    test = qualification_test_create(
        project=project, name="Cats", task_ids=[task.pk], question_count=1
    )
    TestAttempt.objects.create(test=test, worker=walt, number=1, started_at=timezone.now())
    assert _fetch(client, walt, media_url(cat.ref, user=walt)).status_code == 200
    assert _fetch(client, nina, _forged(nina, cat)).status_code == 403


def test_a_worker_reviewing_an_answer_sees_the_file_of_the_task_answered(
    client, project, cat, rita, omar, walt, nina
):
    # Review tasks live in the project's companion and carry the checked task's data inside.
    reviews = make_project(owner=rita)
    reviews.review_of = project
    reviews.save(update_fields=["review_of"])
    review = make_tasks(reviews, 1)[0]
    review.data = {"source": {"data": {"image_url": cat.ref}}, "checked_answer": "cat"}
    review.save(update_fields=["data"])
    _lease(review, walt)
    assert _fetch(client, walt, media_url(cat.ref, user=walt)).status_code == 200
    # A review task of another project's answers opens nothing here.
    elsewhere = make_project(owner=rita)
    fund(elsewhere, omar)
    other_reviews = make_project(owner=rita)
    other_reviews.review_of = elsewhere
    other_reviews.save(update_fields=["review_of"])
    other = make_tasks(other_reviews, 1)[0]
    other.data = {"source": {"data": {"image_url": cat.ref}}}
    other.save(update_fields=["data"])
    _lease(other, nina)
    assert media_url(cat.ref, user=nina) == ""
    assert _fetch(client, nina, _forged(nina, cat)).status_code == 403
