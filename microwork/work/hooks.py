"""What happens after a submission is stored. Other apps (the ledger's pending earning,
gold feedback, aggregation) register here, key → dotted path of `hook(submission)`.

Hooks run inside the submit transaction: if one fails, the answer is not stored either, so a
worker never has an answer without its earning. A hook that does slow work must queue it
with `transaction.on_commit` or a background task instead of doing it inline.
"""

from typing import Any

from microwork.lib.registry import loaded

SUBMISSION_HOOKS: dict[str, str] = {
    # Aggregation first: it relabels the task, and quality compares the answer with that label.
    "aggregation": "microwork.aggregation.services.live.submission_aggregate",
    "quality": "microwork.quality.services.submission_recorded",
}


def submission_hooks_run(*, submission: Any) -> None:
    for path in SUBMISSION_HOOKS.values():
        loaded(path)(submission)
