"""The HIT operations."""

from typing import Any

from microwork.mturk import selectors
from microwork.mturk.models import Hit, HitType
from microwork.mturk.operations import shapes
from microwork.mturk.protocol import (
    Context,
    amount,
    flag,
    invalid,
    moment,
    page,
    paged,
    request_error,
    text,
    whole,
)
from microwork.mturk.services import hits as hit_services
from microwork.projects.services.project_checks import MAX_TIME_LIMIT_SECONDS

MAX_LIFETIME = 365 * 24 * 3600
COMPARATORS = set(hit_services.COMPARATORS) | {"NotIn"}


def _requirements(params: dict[str, Any]) -> list[dict[str, Any]]:
    raw = params.get("QualificationRequirements") or []
    if not isinstance(raw, list) or len(raw) > 20:
        raise invalid("QualificationRequirements", "must be a list of at most 20 requirements.")
    out = []
    for i, item in enumerate(raw):
        field = f"QualificationRequirements[{i}]"
        if not isinstance(item, dict):
            raise invalid(field, "must be an object.")
        type_id = text(item, "QualificationTypeId", required=True, max_length=64)
        comparator = text(item, "Comparator", required=True, max_length=40)
        if comparator not in COMPARATORS:
            raise invalid(f"{field}.Comparator", f"{comparator!r} is not a comparator.")
        values = item.get("IntegerValues") or []
        if not isinstance(values, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in values
        ):
            raise invalid(f"{field}.IntegerValues", "must be a list of whole numbers.")
        locales = item.get("LocaleValues") or []
        if not isinstance(locales, list) or not all(
            isinstance(v, dict) and isinstance(v.get("Country"), str) for v in locales
        ):
            raise invalid(f"{field}.LocaleValues", "must be a list of {Country: XX}.")
        entry: dict[str, Any] = {"QualificationTypeId": type_id, "Comparator": comparator}
        if values:
            entry["IntegerValues"] = values
        if locales:
            entry["LocaleValues"] = [{"Country": v["Country"]} for v in locales]
        if "ActionsGuarded" in item:
            entry["ActionsGuarded"] = item["ActionsGuarded"]
        out.append(entry)
    return out


def _hit_type_settings(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    duration = whole(p, "AssignmentDurationInSeconds", low=30, high=MAX_LIFETIME, required=True)
    assert duration is not None
    if duration > MAX_TIME_LIMIT_SECONDS:
        raise invalid(
            "AssignmentDurationInSeconds",
            f"at most {MAX_TIME_LIMIT_SECONDS} (a day) here: a task that takes a worker longer "
            "is better split.",
        )
    delay = whole(p, "AutoApprovalDelayInSeconds", low=0, high=30 * 24 * 3600, default=2592000)
    assert delay is not None
    return hit_services.hit_type_settings_clean(
        organisation=ctx.organisation,
        title=text(p, "Title", required=True, max_length=128),
        description=text(p, "Description", required=True, max_length=2000),
        keywords=text(p, "Keywords", max_length=1000),
        reward=amount(p, "Reward"),
        assignment_duration=duration,
        auto_approval_delay=delay,
        requirements=_requirements(p),
    )


def _hit(ctx: Context, p: dict[str, Any]) -> Hit:
    hit = selectors.hit_by_id(ctx.organisation, text(p, "HITId", required=True, max_length=64))
    if hit is None:
        raise request_error(
            f"Hit {p.get('HITId')} does not exist.", "AWS.MechanicalTurk.HITDoesNotExist"
        )
    return hit


def _hit_type(ctx: Context, p: dict[str, Any]) -> HitType:
    found = selectors.hit_type_by_id(
        ctx.organisation, text(p, "HITTypeId", required=True, max_length=64)
    )
    if found is None:
        raise request_error(f"HITType {p.get('HITTypeId')} does not exist.")
    return found


def create_hit_type(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    hit_type = hit_services.hit_type_create(
        organisation=ctx.organisation, settings=_hit_type_settings(ctx, p), now=ctx.now
    )
    return {"HITTypeId": hit_type.hit_type_id}


def _create(ctx: Context, p: dict[str, Any], hit_type: HitType) -> dict[str, Any]:
    for unsupported in ("HITLayoutId", "AssignmentReviewPolicy", "HITReviewPolicy"):
        if p.get(unsupported):
            raise request_error(
                f"{unsupported} is not supported: send the Question itself, and use the "
                "project's quality settings for reviews."
            )
    question = text(p, "Question", required=True, max_length=131072)
    hit = hit_services.hit_create(
        organisation=ctx.organisation,
        actor=ctx.user,
        hit_type=hit_type,
        question=question,
        max_assignments=whole(p, "MaxAssignments", low=1, high=100, default=1) or 1,
        lifetime_seconds=whole(p, "LifetimeInSeconds", low=30, high=MAX_LIFETIME, required=True)
        or 0,
        annotation=text(p, "RequesterAnnotation", max_length=255),
        request_token=text(p, "UniqueRequestToken", max_length=64) or None,
        now=ctx.now,
    )
    return {"HIT": shapes.hit(hit, ctx.now)}


def create_hit(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    settings = _hit_type_settings(ctx, p)
    hit_type = hit_services.hit_type_create(
        organisation=ctx.organisation, settings=settings, now=ctx.now
    )
    return _create(ctx, p, hit_type)


def create_hit_with_hit_type(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return _create(ctx, p, _hit_type(ctx, p))


def get_hit(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return {"HIT": shapes.hit(_hit(ctx, p), ctx.now)}


def list_hits(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    offset, size = page(p)
    rows = list(selectors.hits_of(ctx.organisation)[offset : offset + size + 1])
    return paged(rows, offset, size, "HITs", lambda h: shapes.hit(h, ctx.now))


def list_reviewable_hits(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    status = text(p, "Status", default="Reviewable", max_length=20)
    if status not in ("Reviewable", "Reviewing"):
        raise invalid("Status", "must be Reviewable or Reviewing.")
    offset, size = page(p)
    hits = selectors.hits_of(ctx.organisation)
    if p.get("HITTypeId"):
        hits = hits.filter(hit_type=_hit_type(ctx, p))
    # The status is computed from the answers and leases; HITs are few per requester call.
    matching = [
        h
        for h in hits[:5000]
        if selectors.hit_status(h, selectors.hit_counts(h, ctx.now), ctx.now) == status
    ]
    return paged(
        matching[offset : offset + size + 1], offset, size, "HITs", lambda h: shapes.hit(h, ctx.now)
    )


def update_expiration_for_hit(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    hit = _hit(ctx, p)
    hit_services.hit_expiry_set(hit=hit, expires_at=moment(p, "ExpireAt"), now=ctx.now)
    return {}


def update_hit_review_status(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    hit_services.hit_review_status_set(hit=_hit(ctx, p), revert=flag(p, "Revert"))
    return {}


def update_hit_type_of_hit(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    hit = _hit(ctx, p)
    hit_services.hit_type_change(hit=hit, actor=ctx.user, hit_type=_hit_type(ctx, p))
    return {}


def delete_hit(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    hit = _hit(ctx, p)
    counts = selectors.hit_counts(hit, ctx.now)
    status = selectors.hit_status(hit, counts, ctx.now)
    hit_services.hit_delete(
        hit=hit,
        actor=ctx.user,
        pending=counts.pending_review,
        assignable=status in ("Assignable", "Unassignable"),
        now=ctx.now,
    )
    return {}


def create_additional_assignments_for_hit(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    hit = _hit(ctx, p)
    number = whole(p, "NumberOfAdditionalAssignments", low=1, high=100, required=True) or 0
    hit_services.hit_assignments_add(
        hit=hit,
        actor=ctx.user,
        number=number,
        request_token=text(p, "UniqueRequestToken", max_length=64) or None,
    )
    return {}
