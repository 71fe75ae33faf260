"""What a username may be, and when two usernames are the same or look the same.

A username is stored in NFKC form (fullwidth and compatibility letters folded to the plain
ones) and keeps the case the person typed. Two names are the *same* account name when they are
equal after case folding; two names *look alike* when they have the same confusable skeleton
(Unicode Technical Standard #39, section 4): every character replaced by the prototype it can
be mistaken for, so that "wаlt" with a Cyrillic а, "waIt" with a capital i and "walt" all
give the same skeleton. A new name with the skeleton of an existing one is refused: a requester
or operator reading a name must be able to trust who it is.

The confusables and script data come from the `confusable-homoglyphs` package, which ships
Unicode's confusables.txt and Scripts.txt as JSON (it is what django-registration uses for the
same purpose), so a Unicode update is a package update rather than a table kept here by hand.
"""

import unicodedata
from functools import cache

from confusable_homoglyphs import categories, confusables
from django.utils.translation import gettext as _

from microwork.lib.errors import ApplicationError

MAX_LENGTH = 150
# Punctuation a username may hold besides letters, marks and digits (Django's own set).
ALLOWED_PUNCTUATION = frozenset("._@+-")
# Scripts any name may use alongside its own: digits, punctuation, combining accents.
NEUTRAL_SCRIPTS = frozenset({"COMMON", "INHERITED"})
# UTS #39's "highly restrictive" level: one script, or Latin with the scripts that are written
# together with Han in Chinese, Japanese and Korean. Latin with Cyrillic or Greek is refused:
# those mixes are how look-alikes of Latin names are made.
ALLOWED_SCRIPT_MIXES = (
    frozenset({"LATIN", "HAN", "HIRAGANA", "KATAKANA"}),
    frozenset({"LATIN", "HAN", "BOPOMOFO"}),
    frozenset({"LATIN", "HAN", "HANGUL"}),
)
# The package's JSON keeps right-to-left characters between left-to-right marks (how they are
# printed in confusables.txt's comments); they are not part of the characters.
_PRINTING_MARKS = str.maketrans("", "", "\u200e\u200f")


def username_normalise(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw or "").strip()


def username_fold(name: str) -> str:
    """The form two names are compared in to decide they are the same account name."""
    return username_normalise(name).casefold()


@cache
def _prototypes() -> dict[str, str]:
    """Character → the prototype it is confusable with.

    confusables.txt maps each confusable character to one prototype; the package stores every
    such pair in both directions, so the classes are the connected groups of that graph. A
    group holding a sequence (m → "rn") maps to the sequence, since only prototypes are
    sequences; otherwise any fixed member will do, because only equality of skeletons is used.
    """
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for key, entries in confusables.confusables_data.items():
        left = key.translate(_PRINTING_MARKS)
        for entry in entries:
            right = entry["c"].translate(_PRINTING_MARKS)
            if left and right:
                parent[find(left)] = find(right)
    groups: dict[str, list[str]] = {}
    for node in list(parent):
        groups.setdefault(find(node), []).append(node)
    mapping: dict[str, str] = {}
    for members in groups.values():
        sequences = sorted(m for m in members if len(m) > 1)
        prototype = sequences[0] if sequences else min(members)
        for member in members:
            if len(member) == 1:
                mapping[member] = prototype
    return mapping


def _skeleton(text: str) -> str:
    prototypes = _prototypes()
    decomposed = unicodedata.normalize("NFD", text)
    mapped = "".join(prototypes.get(char, char) for char in decomposed)
    return unicodedata.normalize("NFD", mapped)


def username_skeleton(name: str) -> str:
    """What a name looks like, case ignored: equal skeletons are names a reader can mistake for
    each other. Skeleton, fold, skeleton again: "waIt" looks like "walt" before folding, and
    "Mary" is folded to "mary" before it can look like "rnary"."""
    name = username_normalise(name)
    return _skeleton(_skeleton(name).casefold()).casefold()


def username_scripts(name: str) -> set[str]:
    return {categories.alias(char) for char in name} - NEUTRAL_SCRIPTS


def username_validate(raw: str) -> str:
    """The stored form of a proposed username, or an ApplicationError naming what is wrong.
    Whether another account already has it (or one like it) is the caller's question."""
    name = username_normalise(raw)
    if not name:
        raise ApplicationError(_("Choose a username."), field="username")
    if len(name) > MAX_LENGTH:
        raise ApplicationError(
            _("A username has at most %(n)d characters.") % {"n": MAX_LENGTH}, field="username"
        )
    kinds = {unicodedata.category(char) for char in name}
    if kinds & {"Cf", "Cc", "Co", "Cs", "Cn"}:
        # Zero-width joiners and spaces, direction overrides and isolates: invisible, they make
        # a name that displays as another one (or reverses the text after it).
        raise ApplicationError(
            _("A username cannot contain invisible or text-direction characters."),
            code="invisible_characters",
            field="username",
        )
    if unicodedata.category(name[0]).startswith("M") or any(
        not unicodedata.category(char).startswith(("L", "M", "N"))
        and char not in ALLOWED_PUNCTUATION
        for char in name
    ):
        raise ApplicationError(
            _("Use letters, digits and . @ + - _ only."),
            code="invalid_characters",
            field="username",
        )
    scripts = username_scripts(name)
    if len(scripts) > 1 and not any(scripts <= mix for mix in ALLOWED_SCRIPT_MIXES):
        raise ApplicationError(
            _("A username cannot mix alphabets (for example Latin and Cyrillic letters)."),
            code="mixed_scripts",
            field="username",
        )
    return name
