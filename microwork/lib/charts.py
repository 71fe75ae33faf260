"""Charts drawn on the server as small SVG: no script, a few kilobytes, readable on a phone
(they scale to the screen's width), and accessible: each has a title and a description the
screen reader announces, and the same numbers as a table (`rows`) for the page to show as
the text alternative. Plain Python, so any app's page can use it."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import count

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH = 320
HEIGHT = 140
LEFT = 34
BOTTOM = 20
TOP = 12
RIGHT = 8
_ids = count(1)


@dataclass(frozen=True)
class Chart:
    title: str
    desc: str
    svg: SafeString
    # (label, value in words): the text alternative, shown as a table under the chart.
    rows: list[tuple[str, str]] = field(default_factory=list)
    empty: bool = False


def _frame(title: str, desc: str, body: str, chart_id: str) -> SafeString:
    return format_html(
        '<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{i}-t {i}-d" '
        'preserveAspectRatio="xMidYMid meet"><title id="{i}-t">{t}</title>'
        '<desc id="{i}-d">{d}</desc>{b}</svg>',
        w=WIDTH,
        h=HEIGHT,
        i=chart_id,
        t=title,
        d=desc,
        b=mark_safe(body),  # built below from numbers and escaped labels only
    )


def _number(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 10 or value == int(value) else f"{value:.2f}"


def _axis(top: float) -> str:
    plot_h = HEIGHT - BOTTOM - TOP
    parts = [
        f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}"/>',
        f'<line class="axis" x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" '
        f'y2="{TOP + plot_h}"/>',
        f'<text class="tick end" x="{LEFT - 3}" y="{TOP + 4}">{escape(_number(top))}</text>',
        f'<text class="tick end" x="{LEFT - 3}" y="{TOP + plot_h}">0</text>',
    ]
    return "".join(parts)


def bar_chart(
    *,
    title: str,
    desc: str,
    bars: Sequence[tuple[str, float]],
    value_words: Sequence[str] | None = None,
    label_every: int = 1,
) -> Chart:
    """One bar per (label, value); `value_words`, the values as the page words them."""
    chart_id = f"chart{next(_ids)}"
    words = list(value_words) if value_words is not None else [_number(v) for _l, v in bars]
    rows = [(label, words[i]) for i, (label, _v) in enumerate(bars)]
    top = max((v for _l, v in bars), default=0.0)
    if not bars or top <= 0:
        return Chart(title, desc, _frame(title, desc, _axis(0), chart_id), rows, empty=True)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - BOTTOM - TOP
    slot = plot_w / len(bars)
    width = max(slot - 2, 1)
    body = [_axis(top)]
    for i, (label, value) in enumerate(bars):
        height = plot_h * value / top if value > 0 else 0
        x = LEFT + i * slot + 1
        y = TOP + plot_h - height
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}">'
            f"<title>{escape(label)}: {escape(words[i])}</title></rect>"
        )
        if i % max(label_every, 1) == 0:
            body.append(
                f'<text class="tick" x="{x + width / 2:.1f}" y="{HEIGHT - 6}" '
                f">{escape(label)}</text>"
            )
    return Chart(title, desc, _frame(title, desc, "".join(body), chart_id), rows)


def line_chart(
    *,
    title: str,
    desc: str,
    points: Sequence[tuple[str, float]],
    target: float | None = None,
    projected: Sequence[tuple[str, float]] = (),
    value_words: Sequence[str] | None = None,
) -> Chart:
    """A line through `points` (label, value), a dashed line on to the `projected` points,
    and a horizontal line at `target` (the total wanted)."""
    chart_id = f"chart{next(_ids)}"
    words = list(value_words) if value_words is not None else [_number(v) for _l, v in points]
    rows = [(label, words[i]) for i, (label, _v) in enumerate(points)]
    everything = list(points) + list(projected)
    top = max([v for _l, v in everything] + [target or 0], default=0.0)
    if not points or top <= 0:
        return Chart(title, desc, _frame(title, desc, _axis(0), chart_id), rows, empty=True)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - BOTTOM - TOP
    step = plot_w / max(len(everything) - 1, 1)

    def xy(i: int, value: float) -> str:
        return f"{LEFT + i * step:.1f},{TOP + plot_h - plot_h * value / top:.1f}"

    body = [_axis(top)]
    if target:
        y = TOP + plot_h - plot_h * target / top
        body.append(
            f'<line class="target" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>'
        )
    line = " ".join(xy(i, v) for i, (_l, v) in enumerate(points))
    body.append(f'<polyline class="line" points="{line}"/>')
    if projected:
        last = len(points) - 1
        ahead = [xy(last, points[-1][1])] + [
            xy(last + 1 + i, v) for i, (_l, v) in enumerate(projected)
        ]
        body.append(f'<polyline class="projected" points="{" ".join(ahead)}"/>')
    labels = [points[0][0], everything[-1][0]]
    body.append(
        f'<text class="tick start" x="{LEFT}" y="{HEIGHT - 6}">'
        f"{escape(labels[0])}</text>"
        f'<text class="tick end" x="{WIDTH - RIGHT}" y="{HEIGHT - 6}">'
        f"{escape(labels[1])}</text>"
    )
    return Chart(title, desc, _frame(title, desc, "".join(body), chart_id), rows)


def histogram(values: Sequence[float], *, bins: int = 10) -> list[int]:
    """How many of `values` (shares, 0 to 1) fall in each of `bins` equal steps."""
    counts = [0] * bins
    for v in values:
        counts[min(int(max(v, 0.0) * bins), bins - 1)] += 1
    return counts
