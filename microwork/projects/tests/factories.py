"""Factories other apps' tests may import: a project ready to go live, and its tasks."""

from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from microwork.accounts.models import Membership, Organisation, User
from microwork.projects.models import Batch, Project, Task
from microwork.projects.services.batches import batch_upload


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")


class RequesterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"requester{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    membership = factory.RelatedFactory(
        "microwork.projects.tests.factories.MembershipFactory", factory_related_name="user"
    )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.OWNER


class ProjectFactory(factory.django.DjangoModelFactory):
    """A draft single-choice project. Pass `organisation=` and `created_by=` to put it in a
    named requester's organisation."""

    class Meta:
        model = Project

    organisation = factory.SubFactory(OrganisationFactory)
    created_by = factory.SubFactory(RequesterFactory)
    name = factory.Sequence(lambda n: f"Image moderation {n}")
    description = "Say whether each image is acceptable for a family website."
    instructions = "Choose **Acceptable** unless the image shows blood.\n\n## Examples\n"
    interface = "single_choice"
    config = factory.LazyFunction(
        lambda: {
            "question": "Is this image acceptable?",
            "labels": [
                {"value": "ok", "text": "Acceptable"},
                {"value": "gory", "text": "Gory"},
            ],
        }
    )
    reward = Decimal("0.05")
    currency = "USD"
    estimated_seconds = 20
    overlap = 3
    time_limit_seconds = 600
    gold_rate = Decimal("0.1")


class BatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Batch

    project = factory.SubFactory(ProjectFactory)
    uploaded_by = factory.LazyAttribute(lambda b: b.project.created_by)
    filename = "tasks.csv"
    file_format = "csv"
    status = Batch.Status.DONE


class TaskFactory(factory.django.DjangoModelFactory):
    """A task of a single-choice project (data: text). `is_gold=True` needs `gold_answer`."""

    class Meta:
        model = Task

    project = factory.SubFactory(ProjectFactory)
    batch = factory.LazyAttribute(lambda t: BatchFactory(project=t.project))
    row_number = factory.Sequence(lambda n: n + 1)
    external_id = factory.Sequence(lambda n: f"t{n}")
    data = factory.Sequence(lambda n: {"text": f"Picture number {n}"})


# The project form as Rita fills it in.
FORM = {
    "name": "Relevance",
    "description": "Judge results.",
    "instructions": "## Examples\n",
    "interface": "single_choice",
    "single_choice-question": "Is it OK?",
    "single_choice-labels": "ok|Acceptable\ngory|Gory",
    "reward": "0.05",
    "currency": "USD",
    "estimated_seconds": "20",
    "overlap": "3",
    "time_limit_seconds": "600",
    "gold_rate": "0.1",
    "max_open_per_worker": "1",
    "order": "depth_first",
    "auto_approve_seconds": "259200",
}


def upload(project, user, content, name="tasks.csv", content_type="text/csv", size=None):
    """`content` uploaded through the real upload service."""
    if isinstance(content, str):
        content = content.encode()
    f = SimpleUploadedFile(name, content, content_type=content_type)
    return batch_upload(
        project=project,
        actor=user,
        file=f,
        filename=name,
        content_type=content_type,
        size=len(content) if size is None else size,
    )


def stored_answer(task, worker, label="ok", active_ms=4000):
    """A submitted answer written straight to the database, now, with no hook run."""
    from django.utils import timezone

    from microwork.work.models import Assignment, Submission

    now = timezone.now()
    assignment = Assignment.objects.create(
        project=task.project,
        task=task,
        worker=worker,
        status=Assignment.Status.SUBMITTED,
        leased_at=now,
        expires_at=now,
        ended_at=now,
    )
    return Submission.objects.create(
        assignment=assignment,
        project=task.project,
        task=task,
        worker=worker,
        answer=label,
        active_ms=active_ms,
        submitted_at=now,
    )
