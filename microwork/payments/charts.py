"""Server-drawn SVG bar charts: a few hundred bytes, no script, readable on any phone."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

WIDTH = 320
HEIGHT = 120
LABEL_SPACE = 18
TOP_SPACE = 14


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    label: str
    value: str
    label_x: int


def weekly_bars(weeks: list[tuple[datetime, Decimal]]) -> list[Bar]:
    if not weeks:
        return []
    slot = WIDTH // len(weeks)
    width = max(slot - 6, 4)
    top = max((amount for _w, amount in weeks), default=Decimal(0))
    room = HEIGHT - LABEL_SPACE - TOP_SPACE
    bars = []
    for i, (start, amount) in enumerate(weeks):
        height = 0 if top <= 0 or amount <= 0 else max(int(room * amount / top), 1)
        x = i * slot + 3
        bars.append(
            Bar(
                x=x,
                y=HEIGHT - LABEL_SPACE - height,
                width=width,
                height=height,
                label=start.strftime("%d/%m"),
                value=f"{amount:.2f}",
                label_x=x + width // 2,
            )
        )
    return bars
