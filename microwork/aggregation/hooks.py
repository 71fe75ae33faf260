"""Aggregation's entries in the work engine's plug-in registries (microwork/work/hooks.py)."""

from microwork.aggregation.services import submission_aggregate

__all__ = ["submission_aggregate"]
