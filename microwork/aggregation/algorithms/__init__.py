"""Answer aggregation: plain numpy/scipy, no Django, no pandas.

Every categorical method takes :class:`Answers` (integer-coded task, worker, label arrays) and
an optional gold array, and returns an :class:`AggregationResult`. Look methods up by name in
:mod:`.registry`.
"""

from .contract import NO_LABEL, AggregationInputError, AggregationResult, Answers, check_gold
from .encoding import Codebook, encode_rows
from .registry import AGGREGATORS, get_aggregator, names

__all__ = [
    "AGGREGATORS",
    "NO_LABEL",
    "AggregationInputError",
    "AggregationResult",
    "Answers",
    "Codebook",
    "check_gold",
    "encode_rows",
    "get_aggregator",
    "names",
]
