"""Plain-words texts for decisions and notifications, built at display time in the reader's
language from the numbers stored on the row. The rejection reasons are the money side's list,
re-exported here for the pages that show them."""

from typing import Any

from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from microwork.inbox.models import Notification
from microwork.lib.l10n import datetime_text
from microwork.payments.reasons import REJECTION_REASONS
from microwork.quality.models import Appeal, Decision
from microwork.quality.rules import APPROVAL_RULES, RULES, get_approval_rule, get_rule

ACTION_WORDS: dict[str, Any] = {
    "warn": gettext_lazy("warned again"),
    "pause": gettext_lazy("paused on this project"),
    "remove": gettext_lazy("removed from this project"),
    "flag": gettext_lazy("sent to an operator for review"),
}


def format_value(rule_key: str, value: Any) -> str:
    if value is None:
        return "–"
    fmt = get_rule(rule_key).value_format if rule_key in RULES else "share"
    if fmt == "share":
        return f"{float(value) * 100:.0f} %"
    return str(int(value))


def rule_title(rule_key: str) -> str:
    if rule_key == "peer_review":
        return _("Review by other workers")
    return str(get_rule(rule_key).title) if rule_key in RULES else rule_key


def _when(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = parse_datetime(value)
    return datetime_text(value) + " UTC"


def rule_numbers_text(rule_key: str, inputs: dict[str, Any]) -> str:
    """One sentence with the worker's number, the limit and the distance to it."""
    value = format_value(rule_key, inputs.get("value"))
    threshold = format_value(rule_key, inputs.get("threshold"))
    numbers = inputs.get("numbers") or {}
    if rule_key == "gold_accuracy":
        return _(
            "You answered %(correct)d of %(total)d control tasks correctly (%(mean)s). Counting "
            "the uncertainty, your accuracy is at most %(high)s and at least %(low)s; the "
            "project decides on the %(bound)s bound, which is %(value)s against a minimum of "
            "%(threshold)s (distance %(distance)s)."
        ) % {
            "correct": numbers.get("correct", 0),
            "total": numbers.get("total", 0),
            "mean": format_value(
                rule_key,
                numbers.get("correct", 0) / numbers["total"] if numbers.get("total") else None,
            ),
            "high": format_value(rule_key, numbers.get("high")),
            "low": format_value(rule_key, numbers.get("low")),
            "bound": _("upper") if numbers.get("bound") == "upper" else _("lower"),
            "value": value,
            "threshold": threshold,
            "distance": _distance(rule_key, inputs.get("distance")),
        }
    if rule_key == "peer_review":
        return peer_review_text(inputs)
    if rule_key == "daily_cap":
        return _(
            "You gave %(count)d answers on this project today (UTC); the limit is %(cap)d a day."
        ) % {"count": numbers.get("answers_today", 0), "cap": numbers.get("cap", 0)}
    return _(
        "%(rule)s: yours is %(value)s, the limit is %(threshold)s (distance %(distance)s)."
    ) % {
        "rule": rule_title(rule_key),
        "value": value,
        "threshold": threshold,
        "distance": _distance(rule_key, inputs.get("distance")),
    }


def peer_review_text(inputs: dict[str, Any]) -> str:
    """Other workers' review in words: how many accepted, the share needed, and each
    rejecting reviewer's reason (never who they are)."""
    reviewers = int(inputs.get("reviewers") or 0)
    accepts = int(inputs.get("accepts") or 0)
    text = _(
        "%(accepts)d of %(reviewers)d workers who reviewed your answer accepted it; this "
        "project needs %(threshold)s of them to accept."
    ) % {
        "accepts": accepts,
        "reviewers": reviewers,
        "threshold": _percent(inputs.get("threshold")),
    }
    reasons = [
        str(r.get("reason", ""))
        for r in inputs.get("reviews") or []
        if r.get("verdict") == "reject" and r.get("reason")
    ]
    if reasons:
        text += " " + _("Their reasons: %(reasons)s") % {
            "reasons": " ".join(f"“{reason}”" for reason in reasons)
        }
    return text


def _distance(rule_key: str, distance: Any) -> str:
    if distance is None:
        return "–"
    if rule_key in RULES and get_rule(rule_key).value_format == "count":
        return str(int(distance))
    points = float(distance) * 100
    return _("%(points)+.1f percentage points") % {"points": points}


def decision_headline(decision: Decision) -> str:
    project = decision.project.name if decision.project is not None else ""
    kind = decision.kind
    if kind == Decision.Kind.WARNING:
        return _("Warning on %(project)s: %(rule)s") % {
            "project": project,
            "rule": rule_title(decision.rule_key),
        }
    if kind == Decision.Kind.PAUSE:
        return _("Paused on %(project)s until %(until)s") % {
            "project": project,
            "until": _when(decision.ends_at),
        }
    if kind == Decision.Kind.REMOVAL:
        return _("Removed from %(project)s") % {"project": project}
    if kind == Decision.Kind.FLAG:
        return _("Your work on %(project)s was sent to an operator for review") % {
            "project": project
        }
    if kind == Decision.Kind.BLOCK:
        organisation = decision.organisation.name if decision.organisation is not None else ""
        return _("Blocked from the projects of %(organisation)s") % {"organisation": organisation}
    if kind == Decision.Kind.SUSPENSION:
        if decision.ends_at:
            return _("Account suspended until %(until)s") % {"until": _when(decision.ends_at)}
        return _("Account suspended")
    return _("An answer on %(project)s was rejected") % {"project": project}


def decision_text(decision: Decision) -> str:
    """The full explanation a worker reads: what was decided, on which numbers, what next."""
    inputs = decision.inputs or {}
    parts = [decision_headline(decision) + "."]
    if decision.rule_key:
        parts.append(rule_numbers_text(decision.rule_key, inputs))
    limit = decision.rule_key in RULES and get_rule(decision.rule_key).stops_at_limit
    if limit and decision.kind == Decision.Kind.WARNING:
        parts.append(
            _(
                "%(left)d answers left today. At the limit, work on this project stops until "
                "%(reset)s; nothing else happens."
            )
            % {"left": int(inputs.get("distance") or 0), "reset": _when(decision.ends_at)}
        )
    elif limit and decision.kind == Decision.Kind.PAUSE:
        parts.append(
            _(
                "You reached the project's daily limit: you can work on it again from "
                "%(reset)s. This is a limit, not a judgement of your work."
            )
            % {"reset": _when(decision.ends_at)}
        )
    elif decision.kind == Decision.Kind.WARNING:
        if inputs.get("breached"):
            parts.append(
                _(
                    "You are past the limit. If you still are after %(grace)d more answers, you "
                    "will be %(action)s."
                )
                % {
                    "grace": inputs.get("grace_answers", 0),
                    "action": ACTION_WORDS.get(inputs.get("action", "warn"), ""),
                }
            )
        else:
            parts.append(_("You are close to the limit; nothing happens unless you cross it."))
    elif decision.kind == Decision.Kind.REJECTION and decision.rule_key != "peer_review":
        parts.append(
            _("Reason: %(reason)s.")
            % {"reason": REJECTION_REASONS.get(decision.reason_code, decision.reason_code)}
        )
    elif decision.kind == Decision.Kind.BLOCK:
        parts.append(
            _(
                "The requester will not offer you its tasks. Their reason: %(reason)s. You can "
                "appeal: the requester answers, and an operator if they do not."
            )
            % {"reason": decision.note}
        )
    elif decision.kind in (Decision.Kind.PAUSE, Decision.Kind.REMOVAL):
        parts.append(_("You were warned about this before. You can appeal this decision."))
    if decision.note and decision.rule_key != "peer_review" and decision.kind != "block":
        parts.append(_("Note from the decider: %(note)s") % {"note": decision.note})
    if decision.status == Decision.Status.REVERSED:
        parts.append(_("This decision was reversed; it no longer counts against you."))
    elif decision.status == Decision.Status.EXPIRED:
        parts.append(_("This decision has ended."))
    return " ".join(parts)


def _line_text(notification: Notification, decision: Decision | None, appeal: Appeal | None) -> str:
    p = notification.params or {}
    kind = notification.kind
    if kind == "decision" and decision:
        return decision_headline(decision)
    if kind == "decision_reversed" and decision:
        if decision.kind == Decision.Kind.REJECTION:
            # "Reversed: An answer … was rejected" read as one more rejection.
            project = decision.project.name if decision.project is not None else ""
            return _(
                "Good news: the rejection of your answer on %(project)s was reversed, and the "
                "answer is paid."
            ) % {"project": project}
        return _("Reversed: %(headline)s") % {"headline": decision_headline(decision)}
    if kind == "decision_expired" and decision:
        return _("Ended: %(headline)s") % {"headline": decision_headline(decision)}
    if kind == "appeal_received":
        return _("%(worker)s appealed a decision on %(project)s; answer by %(deadline)s.") % {
            "worker": p.get("worker", ""),
            "project": p.get("project", ""),
            "deadline": _when(p.get("deadline")),
        }
    if kind == "appeal_upheld":
        return _("Your appeal was answered: the decision stays. Reason: %(response)s") % {
            "response": p.get("response", "")
        }
    if kind == "appeal_reversed":
        return _("Your appeal was accepted: the decision is reversed.")
    if kind == "appeal_escalated":
        return _("Your appeal was not answered in time, so an operator will decide it.")
    if kind == "test_result":
        return _("Your result for %(test)s: %(score)s.") % {
            "test": p.get("test", ""),
            "score": p.get("score", ""),
        }
    return kind


def _line_url(
    notification: Notification, decision: Decision | None, appeal: Appeal | None
) -> str | None:
    if decision is not None and notification.user_id == decision.worker_id:
        return reverse("quality:decision", args=[decision.pk])
    if notification.kind != "appeal_received":
        return None
    # Appeals on a project go to its requesters; account-level ones, and any an operator
    # reads, to the operators' queue.
    project_id = appeal.decision.project_id if appeal is not None else None
    if project_id and not notification.user.is_staff:
        return reverse("quality:project", args=[project_id])
    if appeal is not None and appeal.decision.organisation_id and not notification.user.is_staff:
        return reverse("quality:blocks")
    return reverse("quality:operator")


def inbox_lines(*, notifications: list[Notification]) -> list[tuple[str, str | None]]:
    """Quality's inbox lines in words (microwork/inbox/kinds.py): decisions, appeals and test
    results, with the decisions and appeals they name fetched at once."""
    decision_ids = {n.params.get("decision_id") for n in notifications} - {None}
    appeal_ids = {n.params.get("appeal_id") for n in notifications} - {None}
    decisions = Decision.objects.select_related("project").in_bulk(decision_ids)
    appeals = Appeal.objects.select_related("decision").in_bulk(appeal_ids)
    lines = []
    for n in notifications:
        decision = decisions.get(n.params.get("decision_id"))
        appeal = appeals.get(n.params.get("appeal_id"))
        lines.append((_line_text(n, decision, appeal), _line_url(n, decision, appeal)))
    return lines


def approval_rule_title(rule_key: str) -> str:
    return str(get_approval_rule(rule_key).title) if rule_key in APPROVAL_RULES else rule_key


def approval_text(inputs: dict[str, Any]) -> str:
    """Why an answer was approved before its approval period ended, from its review's inputs."""
    rule_key = inputs.get("rule", "")
    params = inputs.get("params") or {}
    numbers = inputs.get("numbers") or {}
    if rule_key == "trusted_worker":
        return _(
            "Approved at once: you had answered %(correct)d of %(total)d control tasks "
            "correctly, so your accuracy is at least %(low)s (90 %% sure). This project "
            "approves at once from %(threshold)s on at least %(min)d control answers."
        ) % {
            "correct": numbers.get("correct", 0),
            "total": numbers.get("total", 0),
            "low": _percent(numbers.get("low")),
            "threshold": _percent(params.get("threshold")),
            "min": params.get("min_answers", 0),
        }
    if rule_key == "agrees_with_label":
        return _(
            "Approved at once: your answer matches the label from %(answers)d answers, which "
            "is %(confidence)s sure. This project approves at once from %(min)s."
        ) % {
            "answers": numbers.get("answers", 0),
            "confidence": _percent(numbers.get("confidence")),
            "min": _percent(params.get("min_confidence")),
        }
    if rule_key == "peer_review":
        return _(
            "Approved: %(accepts)d of %(reviewers)d workers who reviewed your answer accepted "
            "it; this project needs %(threshold)s of them to accept."
        ) % {
            "accepts": int(inputs.get("accepts") or 0),
            "reviewers": int(inputs.get("reviewers") or 0),
            "threshold": _percent(inputs.get("threshold")),
        }
    return _("Approved at once by the project's rule “%(rule)s”.") % {
        "rule": approval_rule_title(rule_key)
    }


def _percent(value: Any) -> str:
    return "–" if value is None else f"{float(value) * 100:.0f} %"
