"""Why a requester may reject an answer. The money side owns the list, since it refuses any
other code before moving a reward; quality control shows the labels in decisions, on the reject
form and in appeals."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

REJECTION_REASONS: dict[str, Promise] = {
    "wrong_answer": _("The answer is wrong"),
    "instructions_ignored": _("The instructions were not followed"),
    "incomplete": _("The answer is incomplete"),
    "spam": _("Random or copied answers"),
    "other": _("Another reason (see the note)"),
}
