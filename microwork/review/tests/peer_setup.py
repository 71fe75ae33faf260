"""A reviewed kind of the tests' own (the platform's reviewed kinds are plug-ins like any
other), its project with peer review on, and workers to review."""

from decimal import Decimal
from typing import Any

from microwork.accounts import services as account_services
from microwork.projects.interfaces.base import TaskInterface
from microwork.projects.models import Batch, Project, Task
from microwork.projects.services.projects import project_create, project_set_status
from microwork.work.services.claiming import assignment_claim
from microwork.work.services.submitting import submission_create


class PeerText(TaskInterface):
    """Free text, reviewed by other workers rather than aggregated."""

    key = "peer_text"
    title = "Describe it (reviewed)"
    template_name = "projects/interfaces/single_choice.html"
    reviewed = True
    input_schema = {
        "type": "object",
        "properties": {"text": {"type": "string", "minLength": 1}},
        "required": ["text"],
    }
    answer_schema = {"type": "string", "minLength": 1, "maxLength": 500}
    example = {"config": {}, "data": {"text": "A cat"}, "answer": "a cat"}

    def answer_text(self, config: Any, answer: Any, data: Any = None) -> str:
        return str(answer)


def register(monkeypatch) -> None:
    from microwork.projects.interfaces import REGISTRY

    monkeypatch.setitem(REGISTRY, "peer_text", f"{__name__}.PeerText")


def worker(name: str):
    return account_services.worker_signup(
        username=name,
        email=f"{name}@example.org",
        password=f"{name}-pass-123",
        country="GH",
        languages=["en"],
        timezone_name="Africa/Accra",
    )


def reviewed_project(org, owner, *, tasks=2, reviewers=3, threshold="0.5", **kw) -> Project:
    project = project_create(
        organisation=org,
        actor=owner,
        name=kw.pop("name", "Describe the picture"),
        description="Say in one sentence what the text describes.",
        interface="peer_text",
        config={},
        reward=Decimal("0.10"),
        estimated_seconds=20,
        overlap=1,
        gold_rate=Decimal(0),
        review_overlap=reviewers,
        review_reward=kw.pop("review_reward", Decimal("0.05")),
        review_threshold=Decimal(threshold),
        **kw,
    )
    batch = Batch.objects.create(
        project=project, uploaded_by=owner, filename="t.csv", file_format="csv", status="done"
    )
    Task.objects.bulk_create(
        Task(project=project, batch=batch, row_number=i + 1, data={"text": f"Scene {i}"})
        for i in range(tasks)
    )
    project_set_status(project=project, actor=owner, status=Project.Status.LIVE)
    return project


def answer(project, who, value):
    assignment = assignment_claim(worker=who, project=project)
    assert assignment is not None, who
    return submission_create(assignment=assignment, worker=who, answer=value)
