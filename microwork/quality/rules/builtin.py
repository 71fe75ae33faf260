"""The built-in rules. Each decides on numbers it can show the worker."""

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any

from django.utils.translation import gettext_lazy as _

from microwork.quality import selectors, stats
from microwork.quality.rules.base import Measurement, Param, Rule

MARGIN = Param("margin", "share", 0.05, _("Warn when this close to the threshold"))


class GoldAccuracy(Rule):
    key = "gold_accuracy"
    title = _("Accuracy on control tasks")
    description = _(
        "Share of control tasks answered correctly, estimated with a 90 % credible interval. "
        "Acts only after the minimum number of control answers."
    )
    params = (
        Param("threshold", "share", 0.8, _("Lowest acceptable accuracy")),
        Param(
            "bound",
            "choice",
            "upper",
            _("Decide on the upper bound (benefit of the doubt) or the lower bound (strict)"),
            choices=("upper", "lower"),
        ),
        Param("min_answers", "int", 10, _("Never decide on fewer control answers"), minimum=1),
        MARGIN,
        Param("grace_answers", "int", 5, _("Answers after a warning before acting"), minimum=0),
    )

    def measure(self, *, project, worker, params, since, now) -> Measurement:
        total, correct, wrong_ids = selectors.gold_counts(
            project=project, worker=worker, since=since
        )
        summary = stats.beta_summary(correct=correct, total=total)
        bound = summary.high if params["bound"] == "upper" else summary.low
        threshold = params["threshold"]
        numbers = {
            "total": total,
            "correct": correct,
            "mean": round(summary.mean, 4),
            "low": round(summary.low, 4),
            "high": round(summary.high, 4),
            "bound": params["bound"],
            "min_answers": params["min_answers"],
        }
        if total < params["min_answers"]:
            return Measurement(enough=False, value=bound, threshold=threshold, numbers=numbers)
        distance = bound - threshold
        return Measurement(
            enough=True,
            breached=distance < 0,
            near=0 <= distance < params["margin"],
            value=bound,
            threshold=threshold,
            distance=distance,
            numbers=numbers,
            evidence=wrong_ids,
        )


class TooFast(Rule):
    key = "too_fast"
    title = _("Answering too fast")
    description = _(
        "Your typical (median) time per task compared with the project's typical time. "
        "Acts when yours is below the set share of it."
    )
    params = (
        Param("share", "share", 0.3, _("Lowest acceptable share of the project's median time")),
        Param("min_answers", "int", 10, _("Never decide on fewer answers"), minimum=1),
        Param("margin", "share", 0.1, _("Warn when this close to the threshold")),
        Param("grace_answers", "int", 5, _("Answers after a warning before acting"), minimum=0),
    )

    def measure(self, *, project, worker, params, since, now) -> Measurement:
        mine, count = selectors.median_active_ms(project=project, worker=worker, since=since)
        overall, others = selectors.project_median_active_ms(project=project, exclude=worker)
        numbers = {
            "worker_median_ms": mine,
            "project_median_ms": overall,
            "answers": count,
            "min_answers": params["min_answers"],
        }
        if count < params["min_answers"] or not overall or others < params["min_answers"]:
            return Measurement(enough=False, threshold=params["share"], numbers=numbers)
        ratio = (mine or 0) / overall
        distance = ratio - params["share"]
        return Measurement(
            enough=True,
            breached=distance < 0,
            near=0 <= distance < params["margin"],
            value=ratio,
            threshold=params["share"],
            distance=distance,
            numbers=numbers,
        )


class SkipsInRow(Rule):
    key = "skips_in_row"
    title = _("Too many skips in a row")
    description = _("Tasks skipped one after another without answering any.")
    value_format = "count"
    params = (
        Param("max_skips", "int", 10, _("Most skips in a row allowed"), minimum=1),
        Param("margin", "int", 3, _("Warn this many skips before the limit"), minimum=0),
        Param("grace_answers", "int", 0, _("Answers after a warning before acting"), minimum=0),
    )

    def measure(self, *, project, worker, params, since, now) -> Measurement:
        skips, ids = selectors.trailing_skips(
            project=project, worker=worker, since=since, limit=params["max_skips"] + 1
        )
        limit = params["max_skips"]
        distance = limit - skips
        return Measurement(
            enough=True,
            # Reaching the limit is a breach: "at most N" means the N+1th would be one too many.
            breached=skips > limit,
            near=skips <= limit and distance <= params["margin"] and skips > 0,
            value=skips,
            threshold=limit,
            distance=distance,
            numbers={"skips": skips, "max_skips": limit},
        )


class Disagreement(Rule):
    key = "disagreement"
    per_submission = False
    title = _("Agreement with the aggregated labels")
    description = _(
        "How often your answer matches the task's label from all workers' answers, each "
        "weighed by the worker's accuracy (the project's aggregation method). Acts when it is "
        "below the threshold."
    )
    params = (
        Param("threshold", "share", 0.5, _("Lowest acceptable agreement")),
        Param("min_answers", "int", 20, _("Never decide on fewer compared answers"), minimum=1),
        Param("margin", "share", 0.1, _("Warn when this close to the threshold")),
        Param("grace_answers", "int", 5, _("Answers after a warning before acting"), minimum=0),
    )

    def measure(self, *, project, worker, params, since, now) -> Measurement:
        compared, agreed, disagreeing = selectors.agreement_counts(
            project=project, worker=worker, since=since
        )
        numbers = {"compared": compared, "agreed": agreed, "min_answers": params["min_answers"]}
        if compared < params["min_answers"]:
            return Measurement(enough=False, threshold=params["threshold"], numbers=numbers)
        rate = agreed / compared
        distance = rate - params["threshold"]
        return Measurement(
            enough=True,
            breached=distance < 0,
            near=0 <= distance < params["margin"],
            value=rate,
            threshold=params["threshold"],
            distance=distance,
            numbers=numbers,
            evidence=disagreeing,
        )


class DailyCap(Rule):
    key = "daily_cap"
    title = _("Daily limit of answers")
    description = _(
        "Answers on this project per day (UTC). You are warned as you come close; reaching the "
        "limit stops work on the project until midnight UTC."
    )
    value_format = "count"
    stops_at_limit = True
    params = (
        Param("cap", "int", 500, _("Most answers per day"), minimum=1),
        # At least one, so the worker is always warned before the stop.
        Param("margin", "int", 50, _("Warn this many answers before the limit"), minimum=1),
    )

    def measure(
        self, *, project, worker, params: Mapping[str, Any], since, now: datetime
    ) -> Measurement:
        midnight = datetime.combine(now.date(), time.min, tzinfo=now.tzinfo)
        resets = midnight + timedelta(days=1)
        start = max(midnight, since) if since else midnight
        count = selectors.answers_between(project=project, worker=worker, start=start, end=now)
        cap = params["cap"]
        distance = cap - count
        return Measurement(
            enough=True,
            breached=count >= cap,
            near=count < cap and distance <= params["margin"],
            value=count,
            threshold=cap,
            distance=distance,
            numbers={"answers_today": count, "cap": cap, "resets_at": resets.isoformat()},
            pause_until=resets,
        )
