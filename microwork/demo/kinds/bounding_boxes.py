"""Demo: marking vehicles and people in street scenes, as a driver-assistance dataset needs.

The pictures are drawn here (no download): a road under a sky with buildings, and a few cars,
motorbikes and pedestrians placed at random, so every object's true box is known exactly. A
simulated worker finds each object with a chance that grows with skill, draws its box a little
off (less so the more careful), now and then picks the wrong label or marks something that is
not there."""

import hashlib
import io
import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from PIL import Image, ImageDraw

from microwork.demo.kinds import DemoProject

SIZE = (480, 320)
ROAD_TOP = 200
ROWS = 16
LABELS = ["car|Car", "motorbike|Motorbike", "person|Person"]
BODY_COLOURS = [(200, 30, 40), (30, 90, 200), (240, 240, 240), (250, 190, 20), (40, 140, 60)]
SKIN = [(141, 85, 36), (198, 134, 66), (92, 58, 32), (224, 172, 105)]
CLOTHES = [(20, 60, 160), (180, 40, 120), (230, 120, 20), (30, 30, 30), (0, 130, 110)]

Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels


def _car(draw: ImageDraw.ImageDraw, x: int, y: int, rng: random.Random) -> Box:
    """A car whose wheels stand on `y`, its left end at `x`."""
    w, h = rng.randint(90, 130), rng.randint(34, 44)
    colour = rng.choice(BODY_COLOURS)
    top = y - h
    draw.rectangle([x, top + h // 3, x + w, y - 8], fill=colour)
    draw.polygon(
        [(x + w // 5, top + h // 3), (x + w // 3, top), (x + 2 * w // 3, top),
         (x + 4 * w // 5, top + h // 3)],
        fill=colour,
    )  # fmt: skip
    draw.rectangle(
        [x + w // 3 + 4, top + 4, x + 2 * w // 3 - 4, top + h // 3], fill=(170, 210, 240)
    )
    for cx in (x + w // 5, x + 4 * w // 5):
        draw.ellipse([cx - 10, y - 20, cx + 10, y], fill=(25, 25, 25))
    return (x, top, x + w, y)


def _motorbike(draw: ImageDraw.ImageDraw, x: int, y: int, rng: random.Random) -> Box:
    """A motorbike with its rider (one object, as an okada is counted)."""
    w = rng.randint(54, 66)
    draw.ellipse([x, y - 20, x + 20, y], outline=(20, 20, 20), width=4)
    draw.ellipse([x + w - 20, y - 20, x + w, y], outline=(20, 20, 20), width=4)
    draw.polygon([(x + 10, y - 10), (x + w - 10, y - 10), (x + w - 18, y - 24), (x + 18, y - 24)],
                 fill=rng.choice(BODY_COLOURS))  # fmt: skip
    cx = x + w // 2
    draw.rectangle([cx - 7, y - 52, cx + 7, y - 22], fill=rng.choice(CLOTHES))
    draw.ellipse([cx - 8, y - 68, cx + 8, y - 52], fill=rng.choice(SKIN))
    return (x, y - 68, x + w, y)


def _person(draw: ImageDraw.ImageDraw, x: int, y: int, rng: random.Random) -> Box:
    """A pedestrian whose feet are on `y`, the left of the body at `x`."""
    h = rng.randint(58, 76)
    head = h // 5
    w = max(14, h // 4)
    cx = x + w // 2
    draw.ellipse([cx - head // 2, y - h, cx + head // 2, y - h + head], fill=rng.choice(SKIN))
    draw.rectangle([x, y - h + head, x + w, y - h // 3], fill=rng.choice(CLOTHES))
    draw.rectangle([x + 1, y - h // 3, cx - 1, y], fill=(40, 40, 60))
    draw.rectangle([cx + 1, y - h // 3, x + w - 1, y], fill=(40, 40, 60))
    return (x, y - h, x + w, y)


DRAW = {"car": _car, "motorbike": _motorbike, "person": _person}


def _overlaps(a: Box, b: Box) -> bool:
    return not (a[2] + 4 < b[0] or b[2] + 4 < a[0] or a[3] + 4 < b[1] or b[3] + 4 < a[1])


def street(rng: random.Random) -> tuple[Image.Image, list[dict[str, Any]]]:
    """One scene and its objects' true boxes, as fractions of the picture."""
    img = Image.new("RGB", SIZE, (rng.randint(120, 160), rng.randint(180, 210), 235))
    draw = ImageDraw.Draw(img)
    x = 0
    while x < SIZE[0]:
        w, h = rng.randint(50, 110), rng.randint(60, 150)
        shade = rng.randint(150, 220)
        draw.rectangle([x, ROAD_TOP - h, x + w, ROAD_TOP], fill=(shade, shade - 30, shade - 60))
        x += w + rng.randint(0, 12)
    draw.rectangle([0, ROAD_TOP, SIZE[0], SIZE[1]], fill=(80, 80, 86))
    for dash in range(0, SIZE[0], 60):
        draw.rectangle([dash, 262, dash + 30, 266], fill=(240, 240, 240))
    placed: list[Box] = []
    shapes = []
    for _ in range(rng.randint(1, 5)):
        kind = rng.choice(["car", "car", "motorbike", "person", "person"])
        for _try in range(12):
            # Sized on a scrap picture first, then drawn the same (same seed) if it fits.
            x0 = rng.randint(4, SIZE[0] - 140)
            base = rng.randint(ROAD_TOP + 20, SIZE[1] - 6)
            seed = rng.randrange(1 << 30)
            scrap = ImageDraw.Draw(Image.new("RGB", (1, 1)))
            box = DRAW[kind](scrap, x0, base, random.Random(seed))
            if not any(_overlaps(box, other) for other in placed):
                break
        else:
            continue
        box = DRAW[kind](draw, x0, base, random.Random(seed))
        placed.append(box)
        shapes.append(
            {
                "label": kind,
                "x": round(box[0] / SIZE[0], 4),
                "y": round(box[1] / SIZE[1], 4),
                "w": round((box[2] - box[0]) / SIZE[0], 4),
                "h": round((box[3] - box[1]) / SIZE[1], 4),
            }
        )
    return img, shapes


def write_streets(directory: Path, count: int, seed: int = 11) -> list[tuple[str, list[dict]]]:
    """Draw `count` scenes into `directory`; (file name, true shapes) each. Names are the
    hash of the bytes, so they give nothing away."""
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        img, shapes = street(rng)
        out = io.BytesIO()
        img.save(out, format="PNG", optimize=True)
        data = out.getvalue()
        name = f"{hashlib.sha256(data).hexdigest()[:32]}.png"
        if not (directory / name).exists():
            (directory / name).write_bytes(data)
        made.append((name, shapes))
    return made


def _clip(v: float) -> float:
    return min(max(v, 0.0), 1.0)


def crowd_answer(interface: Any, config: dict, truth: Any, skill: float, rng: random.Random):
    """Each true object found with a chance that grows with skill, drawn a few pixels off
    (more for a careless worker), sometimes with the wrong label; a careless worker also
    marks a patch of road now and then."""
    labels = [label["value"] for label in config["labels"]]
    answer = []
    for shape in truth or []:
        if rng.random() > 0.6 + 0.4 * skill:
            continue
        noise = 0.01 + (1 - skill) * 0.12
        w = shape["w"] * (1 + rng.uniform(-noise, noise))
        h = shape["h"] * (1 + rng.uniform(-noise, noise))
        x = _clip(shape["x"] + shape["w"] * rng.uniform(-noise, noise))
        y = _clip(shape["y"] + shape["h"] * rng.uniform(-noise, noise))
        label = shape["label"]
        if rng.random() > skill + (1 - skill) * 0.6:
            label = rng.choice([v for v in labels if v != label])
        answer.append(
            {
                "label": label,
                "x": round(x, 4),
                "y": round(y, 4),
                "w": round(max(0.01, min(w, 1 - x)), 4),
                "h": round(max(0.01, min(h, 1 - y)), 4),
            }
        )
    if rng.random() > skill + 0.05:
        x, y = rng.uniform(0, 0.8), rng.uniform(0.65, 0.85)
        answer.append({"label": rng.choice(labels), "x": round(x, 4), "y": round(y, 4),
                       "w": 0.12, "h": 0.1})  # fmt: skip
    return answer


def demo(*, media: Path, rng: random.Random) -> DemoProject:
    folder = "demo/streets"
    made = write_streets(media / folder, ROWS)
    prefix = f"/{settings.MEDIA_URL.strip('/')}/{folder}"
    rows: list[dict[str, Any]] = []
    truth: dict[str, Any] = {}
    for i, (name, shapes) in enumerate(made):
        row: dict[str, Any] = {"id": f"street-{i + 1}", "image_url": f"{prefix}/{name}"}
        if i % 5 == 0:
            row["answer"] = json.dumps(shapes)
            row["explanation"] = "Every car, motorbike and person has its own box: " + ", ".join(
                s["label"] for s in shapes
            )
        rows.append(row)
        truth[row["id"]] = shapes
    return DemoProject(
        name="Mark every vehicle and person on the street",
        description="Draw a box round each car, motorbike and pedestrian in a street scene. "
        "About 40 seconds.",
        instructions=(
            "Choose a label, then drag on the picture to draw a **tight** box round each car, "
            "motorbike (with its rider) and person. Draw nothing for an empty street. On a "
            "keyboard: the number keys choose the label, **N** adds a box, the arrow keys move "
            "it and Shift with the arrows resizes it."
            "\n\n## Examples\n\n"
            "- Two cars and a pedestrian: three boxes, labelled Car, Car and Person.\n"
            "- A motorbike taxi with its rider: one Motorbike box round both."
        ),
        interface="bounding_boxes",
        config={
            "question": "Draw a box round every car, motorbike and person.",
            "labels": LABELS,
            "shapes": "both",
            "min_shapes": 0,
            "max_shapes": 20,
        },
        rows=rows,
        truth=truth,
        crowd_answer=crowd_answer,
        reward=Decimal("0.10"),
        estimated_seconds=40,
        overlap=3,
        # Ordinary street scenes: the pictures show nothing disturbing.
        settings={"disturbing_content": []},
    )
