"""The money side's services, found by name so quality works before and after they land.

The payments app owns test payments, rejections and overturns; quality only calls them. When
one is missing, quality records what is owed in its own rows (TestPayment) or updates the
submission's status, and the ledger picks it up once the service exists."""

import importlib
import inspect
from collections.abc import Callable
from typing import Any

MODULES = ("microwork.payments.services", "microwork.ledger.services")


def money_service(*names: str) -> Callable[..., Any] | None:
    for module_name in MODULES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        for name in names:
            func = getattr(module, name, None)
            if callable(func):
                return func
    return None


def call_with_known(func: Callable[..., Any], **kwargs: Any) -> Any:
    """Call with the keyword arguments the service declares (their signatures may grow)."""
    params = inspect.signature(func).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return func(**kwargs)
    return func(**{k: v for k, v in kwargs.items() if k in params})
