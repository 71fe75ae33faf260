"""The demo's voice and video clips: small files shipped in microwork/demo/media/ (made by
scripts/demo-media.sh), each listed with what it says or shows in the `clips.tsv` beside it.

The seed copies a clip into the media directory under the hash of its bytes, as the demo's
pictures are (images.py): workers see the address, and a name like v03 or a label in it
would give a control task's answer away."""

import hashlib
from pathlib import Path

SHIPPED = Path(__file__).parent / "media"


def clip_rows(kind: str) -> list[list[str]]:
    """The rows of `media/<kind>/clips.tsv`, tab-separated, comments left out."""
    text = (SHIPPED / kind / "clips.tsv").read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


def copy_clip(kind: str, filename: str, media: Path) -> str:
    """Copy a shipped clip into `media`/demo/<kind>/; returns its name under MEDIA_ROOT."""
    data = (SHIPPED / kind / filename).read_bytes()
    name = f"{hashlib.sha256(data).hexdigest()[:32]}{Path(filename).suffix}"
    directory = media / "demo" / kind
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    if not path.exists():
        path.write_bytes(data)
    return f"demo/{kind}/{name}"
