"""Pictures for the image-moderation demo, drawn locally so the demo needs no download.

Three kinds, matching the project's labels: ordinary scenes (acceptable), scenes dominated by
blood-red splatter (gory) and scenes with weapons or hazard symbols (harmful). They are
deliberately schematic; what matters is that a person can tell the classes apart."""

import hashlib
import io
import random
import re
from pathlib import Path

from PIL import Image, ImageDraw

SIZE = (320, 220)


def _sky(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    top = (rng.randint(90, 140), rng.randint(160, 200), 235)
    draw.rectangle([0, 0, SIZE[0], SIZE[1]], fill=top)


def acceptable(rng: random.Random) -> Image.Image:
    img = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(img)
    _sky(draw, rng)
    sun_x = rng.randint(30, 290)
    draw.ellipse([sun_x - 22, 18, sun_x + 22, 62], fill=(255, 214, 90))
    for i in range(3):
        x = rng.randint(-60, 260)
        h = rng.randint(70, 130)
        green = (40 + 30 * i, 130 + rng.randint(0, 50), 60)
        draw.polygon([(x, SIZE[1]), (x + 90, SIZE[1] - h), (x + 200, SIZE[1])], fill=green)
    for _ in range(rng.randint(1, 4)):
        tx = rng.randint(10, 300)
        draw.rectangle([tx, 150, tx + 6, 190], fill=(101, 67, 33))
        draw.ellipse([tx - 14, 120, tx + 20, 160], fill=(34, 120, 50))
    return img


def gory(rng: random.Random) -> Image.Image:
    img = Image.new("RGB", SIZE, (rng.randint(200, 235),) * 3)
    draw = ImageDraw.Draw(img)
    for _ in range(rng.randint(14, 24)):
        x, y = rng.randint(0, SIZE[0]), rng.randint(0, SIZE[1])
        r = rng.randint(6, 38)
        draw.ellipse([x - r, y - r, x + r, y + r], fill=(rng.randint(120, 170), 0, 10))
        for _ in range(3):
            dx, dy = rng.randint(-60, 60), rng.randint(10, 80)
            draw.line([x, y, x + dx, y + dy], fill=(140, 0, 0), width=rng.randint(2, 6))
    return img


def harmful(rng: random.Random) -> Image.Image:
    img = Image.new("RGB", SIZE, (40, 40, 48))
    draw = ImageDraw.Draw(img)
    cx, cy = rng.randint(110, 210), rng.randint(90, 130)
    # A hazard triangle with an exclamation mark, and a pistol silhouette.
    draw.polygon([(cx, cy - 70), (cx - 70, cy + 50), (cx + 70, cy + 50)], fill=(250, 200, 0))
    draw.rectangle([cx - 6, cy - 35, cx + 6, cy + 15], fill=(20, 20, 20))
    draw.ellipse([cx - 7, cy + 24, cx + 7, cy + 38], fill=(20, 20, 20))
    gx, gy = rng.randint(20, 60), rng.randint(150, 180)
    draw.rectangle([gx, gy, gx + 70, gy + 14], fill=(15, 15, 15))
    draw.rectangle([gx + 45, gy + 10, gx + 62, gy + 38], fill=(15, 15, 15))
    return img


KINDS = {"acceptable": acceptable, "gory": gory, "harmful": harmful}


# Names an older demo gave its pictures: the first letter was the true label.
_TELLING_NAME = re.compile(r"^[agh]\d{3}-[0-9a-f]{6}\.png$")


def write_images(directory: Path, per_kind: int, seed: int = 7) -> list[tuple[str, str]]:
    """Draw `per_kind` PNGs of each kind into `directory`; returns (file name, true label).

    A picture's name is the hash of its bytes: workers see the URL, and a name that carried
    the kind (or the order the kinds were drawn in) would give control answers away."""
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.iterdir():
        if _TELLING_NAME.match(old.name):
            old.unlink()
    rng = random.Random(seed)
    made: list[tuple[str, str]] = []
    for kind, draw in KINDS.items():
        for _i in range(per_kind):
            out = io.BytesIO()
            draw(rng).save(out, format="PNG", optimize=True)
            data = out.getvalue()
            name = f"{hashlib.sha256(data).hexdigest()[:32]}.png"
            path = directory / name
            if not path.exists():
                path.write_bytes(data)
            made.append((name, kind))
    rng.shuffle(made)
    return made
