from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from microwork.accounts.models import User
from microwork.ledger.models import Payout, PayoutMethod
from microwork.lib.errors import Forbidden


def access_operator(*, user: User) -> User:
    if not (user.is_authenticated and user.is_staff):
        raise Forbidden(_("This page is for operators."))
    return user


def access_payout_method_for_worker(*, user: User, method_id: int) -> PayoutMethod:
    # Another worker's method looks like a missing one: ids reveal nothing.
    return get_object_or_404(PayoutMethod, pk=method_id, user=user, is_active=True)


def access_payout_for_operator(*, user: User, payout_id: int) -> Payout:
    access_operator(user=user)
    return get_object_or_404(Payout.objects.select_related("user", "method"), pk=payout_id)
