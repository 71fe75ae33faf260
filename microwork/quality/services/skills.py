"""The worker's standing row on a project (WorkerSkill): locked for a write, and recounted
from the stored answers (the periodic job, and after a full re-estimate of the labels)."""

from datetime import datetime
from statistics import median

from django.db import IntegrityError, transaction
from django.utils import timezone

from microwork.accounts.models import User
from microwork.projects.models import Project
from microwork.quality import selectors
from microwork.quality.models import WorkerSkill
from microwork.work.models import Submission


def skill_locked(*, project: Project, worker: User) -> WorkerSkill:
    # Every answer comes here: lock the row that almost always exists in one query, and make
    # it (in a savepoint) only the first time.
    skill = WorkerSkill.objects.select_for_update().filter(project=project, worker=worker).first()
    if skill is None:
        try:
            with transaction.atomic():
                WorkerSkill.objects.get_or_create(project=project, worker=worker)
        except IntegrityError:
            pass  # Another process made it first; the lock below waits for it.
        skill = WorkerSkill.objects.select_for_update().get(project=project, worker=worker)
    # The caller's rows, so the rules do not fetch them again.
    skill.project, skill.worker = project, worker
    return skill


@transaction.atomic
def skill_recompute(*, project: Project, worker: User, now: datetime | None = None) -> WorkerSkill:
    """Recount everything from the stored answers (the periodic job; also fixes drift)."""
    now = now or timezone.now()
    skill = skill_locked(project=project, worker=worker)
    subs = Submission.objects.filter(project=project, worker=worker)
    skill.answers = subs.count()
    total, correct, _ids = selectors.gold_counts(project=project, worker=worker, since=None)
    skill.gold_answers, skill.gold_correct = total, correct
    skill.compared, skill.agreed, _ids = selectors.agreement_counts(
        project=project, worker=worker, since=None, window=None
    )
    values = list(subs.order_by("-submitted_at").values_list("active_ms", flat=True)[:200])
    skill.median_active_ms = int(median(values)) if values else None
    skill.updated_at = now
    skill.save(
        update_fields=[
            "answers",
            "gold_answers",
            "gold_correct",
            "compared",
            "agreed",
            "median_active_ms",
            "updated_at",
        ]
    )
    return skill


def skills_agreement_refresh(*, project: Project) -> int:
    """Recount every worker's agreement with the project's labels, after a full re-estimate
    changed them (aggregation's LABELS_CHANGED hook). One small transaction per worker,
    holding that worker's skill row, so an answer arriving meanwhile is counted once. Returns
    how many workers were recounted."""
    done = 0
    for worker in User.objects.filter(quality_skills__project=project).order_by("pk"):
        with transaction.atomic():
            skill = skill_locked(project=project, worker=worker)
            skill.compared, skill.agreed, _ids = selectors.agreement_counts(
                project=project, worker=worker, since=None, window=None
            )
            skill.save(update_fields=["compared", "agreed"])
        done += 1
    return done
