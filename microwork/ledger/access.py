from django.utils.translation import gettext as _

from microwork.accounts.models import User
from microwork.ledger.models import Payout, PayoutMethod
from microwork.lib.errors import Forbidden, NotFound


def access_operator(*, user: User) -> User:
    if not (user.is_authenticated and user.is_staff):
        raise Forbidden(_("This page is for operators."))
    return user


def access_payout_method_for_worker(*, user: User, method_id: int) -> PayoutMethod:
    # Another worker's method looks like a missing one: ids reveal nothing. NotFound, not
    # Http404, so the API answers it with the same {code, message} as every other refusal.
    method = PayoutMethod.objects.filter(pk=method_id, user=user, is_active=True).first()
    if method is None:
        raise NotFound(_("No such payout method."), field="method_id")
    return method


def access_payout_for_operator(*, user: User, payout_id: int) -> Payout:
    access_operator(user=user)
    payout = Payout.objects.select_related("user", "method").filter(pk=payout_id).first()
    if payout is None:
        raise NotFound(_("No such payout."), field="payout_id")
    return payout
