"""Regular expressions a requester writes and a worker's answer must match, run safely.

Python's own engine backtracks: `(a+)+$` or `(a|a)*b` take exponential time on a short text,
which would let one project stall the submit of every worker. So a requester's pattern is
only *parsed* by Python's parser; a safe subset of its parse tree is accepted (literals,
character classes, `.`, groups, alternation, `?`, `*`, `+`, `{m,n}` up to MAX_COUNT, `^`,
`$`, `\\b`, `\\B`) and compiled here into a Thompson NFA, which is matched by keeping the set
of states reached so far: time linear in the text (times the pattern's size, itself bounded).
Refused: backreferences, lookaround, conditionals, atomic groups and possessive repeats,
inline flags, a repeat of something already repeated, counts above MAX_COUNT, a pattern
longer than MAX_LENGTH characters or expanding past MAX_STATES states.

A pattern matches the WHOLE answer (as HTML's `pattern` attribute does).
"""

import re
import re._constants as sre_constants
import re._parser as sre_parser
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

MAX_LENGTH = 200
MAX_COUNT = 100
MAX_STATES = 300
# Steps remembered while matching one text (each a set of at most MAX_STATES states).
STEP_CACHE = 2_000

c = sre_constants


class UnsafePattern(ValueError):
    """The pattern is refused; the message says why in words a requester follows."""


CharTest = Callable[[str], bool]


def _category(code: Any) -> CharTest:
    tests: dict[Any, CharTest] = {
        c.CATEGORY_DIGIT: str.isdecimal,
        c.CATEGORY_NOT_DIGIT: lambda ch: not ch.isdecimal(),
        c.CATEGORY_SPACE: str.isspace,
        c.CATEGORY_NOT_SPACE: lambda ch: not ch.isspace(),
        c.CATEGORY_WORD: _is_word,
        c.CATEGORY_NOT_WORD: lambda ch: not _is_word(ch),
    }
    if code not in tests:
        raise UnsafePattern(_("This kind of character class is not supported."))
    return tests[code]


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _in_range(low: int, high: int) -> CharTest:
    def test(ch: str) -> bool:
        return low <= ord(ch) <= high

    return test


def _charset(items: list[tuple[Any, Any]]) -> CharTest:
    negate = False
    tests: list[CharTest] = []
    chars: set[str] = set()
    for op, av in items:
        if op is c.NEGATE:
            negate = True
        elif op is c.LITERAL:
            chars.add(chr(av))
        elif op is c.RANGE:
            tests.append(_in_range(*av))
        elif op is c.CATEGORY:
            tests.append(_category(av))
        else:
            raise UnsafePattern(_("This kind of character class is not supported."))

    def test(ch: str) -> bool:
        found = ch in chars or any(t(ch) for t in tests)
        return found != negate

    return test


# --- the automaton ---------------------------------------------------------------------------
# A state is one of: ("char", test, next), ("split", [next, …]), ("assert", kind, next),
# ("match",). Fragments are built Thompson's way: a start state and the list of dangling
# exits, patched to whatever follows.


@dataclass
class _State:
    kind: str
    test: CharTest | None = None
    assertion: Any = None
    out: list[int | None] | None = None


class _Builder:
    def __init__(self) -> None:
        self.states: list[_State] = []

    def add(self, state: _State) -> int:
        if len(self.states) >= MAX_STATES:
            raise UnsafePattern(
                _("The pattern is too large once its repeats are counted; simplify it.")
            )
        self.states.append(state)
        return len(self.states) - 1

    def patch(self, exits: list[tuple[int, int]], target: int) -> None:
        for state, slot in exits:
            out = self.states[state].out
            assert out is not None
            out[slot] = target

    # Each build returns (start, exits): exits are (state, slot) pairs left unconnected.
    Frag = tuple[int, list[tuple[int, int]]]

    def empty(self) -> "_Builder.Frag":
        s = self.add(_State("split", out=[None]))
        return s, [(s, 0)]

    def seq(self, items: Any, depth: int) -> "_Builder.Frag":
        frags = [self.item(op, av, depth) for op, av in items]
        if not frags:
            return self.empty()
        start, exits = frags[0]
        for nxt_start, nxt_exits in frags[1:]:
            self.patch(exits, nxt_start)
            exits = nxt_exits
        return start, exits

    def item(self, op: Any, av: Any, depth: int) -> "_Builder.Frag":
        if op is c.LITERAL:
            s = self.add(_State("char", test=chr(av).__eq__, out=[None]))
            return s, [(s, 0)]
        if op is c.NOT_LITERAL:
            s = self.add(_State("char", test=chr(av).__ne__, out=[None]))
            return s, [(s, 0)]
        if op is c.ANY:
            s = self.add(_State("char", test="\n".__ne__, out=[None]))
            return s, [(s, 0)]
        if op is c.IN:
            s = self.add(_State("char", test=_charset(list(av)), out=[None]))
            return s, [(s, 0)]
        if op is c.AT:
            if av not in ASSERTIONS:
                raise UnsafePattern(_("This kind of anchor is not supported."))
            s = self.add(_State("assert", assertion=av, out=[None]))
            return s, [(s, 0)]
        if op is c.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                raise UnsafePattern(_("Flags such as (?i) are not supported."))
            return self.seq(sub, depth)
        if op is c.BRANCH:
            _none, branches = av
            frags = [self.seq(b, depth) for b in branches]
            s = self.add(_State("split", out=[f[0] for f in frags]))
            return s, [e for f in frags for e in f[1]]
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, high, sub = av
            if depth and high != 1:
                raise UnsafePattern(
                    _("A repeat inside a repeat, like (a+)+, is not allowed: it can be very slow.")
                )
            if low > MAX_COUNT or (high != c.MAXREPEAT and high > MAX_COUNT):
                raise UnsafePattern(_("Repeat counts go up to %(n)d at most.") % {"n": MAX_COUNT})
            return self.repeat(low, high, sub)
        raise UnsafePattern(
            _(
                "Backreferences, lookarounds, conditionals, atomic groups and possessive "
                "repeats are not supported."
            )
        )

    def repeat(self, low: int, high: Any, sub: Any) -> "_Builder.Frag":
        # Inside a repeat of more than once, no other repeat is allowed (see item()).
        inner = 0 if high == 1 else 1
        parts: list[_Builder.Frag] = [self.seq(sub, inner) for _i in range(low)]
        if high == c.MAXREPEAT:
            # One looping copy: split → (body → back to split) | on.
            body_start, body_exits = self.seq(sub, inner)
            loop = self.add(_State("split", out=[body_start, None]))
            self.patch(body_exits, loop)
            parts.append((loop, [(loop, 1)]))
        else:
            for _i in range(high - low):
                body_start, body_exits = self.seq(sub, inner)
                opt = self.add(_State("split", out=[body_start, None]))
                parts.append((opt, [*body_exits, (opt, 1)]))
        if not parts:
            return self.empty()
        start, exits = parts[0]
        for nxt_start, nxt_exits in parts[1:]:
            self.patch(exits, nxt_start)
            exits = nxt_exits
        return start, exits


ASSERTIONS = {
    c.AT_BEGINNING,
    c.AT_BEGINNING_STRING,
    c.AT_END,
    c.AT_END_STRING,
    c.AT_BOUNDARY,
    c.AT_NON_BOUNDARY,
}


def _holds(assertion: Any, text: str, pos: int) -> bool:
    if assertion in (c.AT_BEGINNING, c.AT_BEGINNING_STRING):
        return pos == 0
    if assertion in (c.AT_END, c.AT_END_STRING):
        return pos == len(text)
    before = pos > 0 and _is_word(text[pos - 1])
    after = pos < len(text) and _is_word(text[pos])
    return (before != after) == (assertion is c.AT_BOUNDARY)


@dataclass(frozen=True)
class SafePattern:
    """A compiled, checked pattern: `fullmatch(text)` in time linear in the text."""

    source: str
    states: tuple[_State, ...]
    start: int

    def _closure(self, seeds: list[int], text: str, pos: int) -> set[int]:
        seen: set[int] = set()
        stack = list(seeds)
        while stack:
            i = stack.pop()
            if i in seen:
                continue
            seen.add(i)
            state = self.states[i]
            passes = state.kind == "split" or (
                state.kind == "assert" and _holds(state.assertion, text, pos)
            )
            if passes:
                stack.extend(o for o in state.out or () if o is not None)
        return seen

    def fullmatch(self, text: str) -> bool:
        """Whether the whole text matches. One pass over the text keeping the set of live
        states; a step already taken from the same set on the same character (in the same
        context for `$` and `\\b`) is looked up instead of recomputed, so a long answer
        costs about one dictionary look-up per character, and never more than the pattern's
        size (MAX_STATES) per character."""
        n = len(text)
        current = frozenset(self._closure([self.start], text, 0))
        steps: dict[tuple[frozenset[int], str, bool, bool], frozenset[int]] = {}
        for pos, ch in enumerate(text):
            after = pos + 1
            key = (current, ch, after == n, after < n and _is_word(text[after]))
            found = steps.get(key)
            if found is None:
                nxt: list[int] = []
                for i in current:
                    state = self.states[i]
                    if state.kind == "char" and state.test is not None and state.test(ch):
                        target = (state.out or [None])[0]
                        if target is not None:
                            nxt.append(target)
                found = frozenset(self._closure(nxt, text, after))
                if len(steps) < STEP_CACHE:
                    steps[key] = found
            if not found:
                return False
            current = found
        return any(self.states[i].kind == "match" for i in current)


def compile_safe(pattern: str) -> SafePattern:
    """The pattern checked and compiled, or UnsafePattern saying what is refused."""
    if len(pattern) > MAX_LENGTH:
        raise UnsafePattern(_("A pattern has at most %(n)d characters.") % {"n": MAX_LENGTH})
    try:
        parsed = sre_parser.parse(pattern)
    except re.error as exc:
        raise UnsafePattern(
            _("This is not a valid regular expression: %(reason)s.") % {"reason": exc.msg}
        ) from None
    if parsed.state.flags & ~(c.SRE_FLAG_UNICODE):
        raise UnsafePattern(_("Flags such as (?i) are not supported."))
    if parsed.state.groups > 1 + MAX_COUNT:
        raise UnsafePattern(_("The pattern has too many groups."))
    builder = _Builder()
    start, exits = builder.seq(parsed, 0)
    done = builder.add(_State("match"))
    builder.patch(exits, done)
    return SafePattern(source=pattern, states=tuple(builder.states), start=start)
