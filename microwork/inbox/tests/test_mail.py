"""What matters also goes out by e-mail: from a background job, in the reader's language,
each topic switchable by its reader, never twice for one line."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from microwork.inbox.mail import notifications_mail
from microwork.inbox.models import MailChoice, Notification
from microwork.inbox.services import inbox_notify, mail_choice_save

LOCMEM = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
PAID = {"payout_id": 7, "amount": "12.500000", "currency": "USD"}

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("_mail_in_memory"),
]


@pytest.fixture
def _mail_in_memory(settings):
    settings.MAILERS = LOCMEM
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }
    settings.SITE_URL = "https://work.example.org"
    mail.outbox = []


def notify(user, kind="payout_sent", params=PAID, *, capture):
    with capture(execute=True):
        inbox_notify(users=[user], kind=kind, params=params, now=timezone.now())


def test_a_payout_is_mailed_after_the_commit_in_the_readers_words(
    walt, django_capture_on_commit_callbacks
):
    notify(walt, capture=django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.to == ["walt@example.org"]
    assert message.subject == "Your payout on microwork"
    # The balance's decimals, not the six stored ones; the link to the page and the choices.
    assert "Your payout of 12.50 USD was sent." in message.body
    assert "https://work.example.org" + reverse("ledger:payouts") in message.body
    assert "https://work.example.org" + reverse("inbox:mail") in message.body
    assert Notification.objects.get(user=walt).mailed_at is not None


def test_nina_reads_it_in_french(nina, django_capture_on_commit_callbacks):
    notify(nina, capture=django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.subject == "Votre versement sur microwork"
    assert "12,50\N{NO-BREAK SPACE}USD" in message.body


def test_a_topic_turned_off_stays_in_the_inbox_only(walt, django_capture_on_commit_callbacks):
    mail_choice_save(user=walt, topics=["decisions", "appeals", "new_work"])
    notify(walt, capture=django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert Notification.objects.filter(user=walt, kind="payout_sent").count() == 1
    # The news of a project they asked to hear about is still mailed.
    notify(walt, "project_opened", {"project_id": 1}, capture=django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.subject == "New work for you on microwork"


def test_kinds_outside_the_topics_are_not_mailed(rita, django_capture_on_commit_callbacks):
    notify(rita, "personal_data_deleted", {}, capture=django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_a_job_run_twice_mails_once(walt):
    # Without the commit hook: the line is written, then the job runs twice (a retry).
    inbox_notify(users=[walt], kind="payout_sent", params=PAID, now=timezone.now())
    ids = list(Notification.objects.values_list("pk", flat=True))
    assert notifications_mail(notification_ids=ids) == 1
    assert notifications_mail(notification_ids=ids) == 0
    assert len(mail.outbox) == 1


def test_a_line_undone_with_its_transaction_is_never_mailed(
    walt, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        inbox_notify(users=[walt], kind="payout_sent", params=PAID, now=timezone.now())
        raise RuntimeError("undone")
    assert callbacks == [] and mail.outbox == []


def test_the_mail_page_switches_topics(client, walt):
    client.force_login(walt)
    # The page's own form, not the site's menu (a checkbox folds it on a phone).
    page = client.get(reverse("inbox:mail")).content.decode().split("<main", 1)[1]
    assert page.count('type="checkbox"') == len(MailChoice.TOPICS)
    assert page.count(" checked") == len(MailChoice.TOPICS)
    client.post(reverse("inbox:mail"), {"decisions": "on", "appeals": "on"})
    choice = MailChoice.objects.get(user=walt)
    assert (choice.decisions, choice.appeals, choice.payouts, choice.new_work) == (
        True,
        True,
        False,
        False,
    )
    assert (
        'href="' + reverse("inbox:mail") + '"'
        in client.get(reverse("accounts:profile")).content.decode()
    )


def test_a_failed_payout_tells_the_worker(walt, omar, django_capture_on_commit_callbacks):
    from microwork.ledger.models import Payout
    from microwork.ledger.services.payouts import _payout_tell

    payout = Payout(pk=3, user=walt, amount=Decimal("2.5"), currency="USD")
    with django_capture_on_commit_callbacks(execute=True):
        _payout_tell(payout, "payout_failed", now=timezone.now(), reason="number unknown")
    (message,) = mail.outbox
    assert "could not be sent: number unknown" in message.body
    assert "2.50 USD" in message.body
