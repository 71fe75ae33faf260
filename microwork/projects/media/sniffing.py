"""What a media file is, read from its first bytes (its "magic numbers"), never from its name
or from what the sender's browser claims. A file whose bytes are not what its name's extension
says is refused: a `.png` that is really HTML must never reach a worker's browser."""

from dataclasses import dataclass

# How many bytes the sniffer needs from the start of a file.
HEAD_BYTES = 64


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    kind: str  # image, audio or video
    label: str  # shown in errors: "a PNG image"


# Extension → (format read from the bytes, content type, kind).
EXTENSIONS: dict[str, tuple[str, str, str]] = {
    "jpg": ("jpeg", "image/jpeg", "image"),
    "jpeg": ("jpeg", "image/jpeg", "image"),
    "png": ("png", "image/png", "image"),
    "gif": ("gif", "image/gif", "image"),
    "webp": ("webp", "image/webp", "image"),
    "mp3": ("mp3", "audio/mpeg", "audio"),
    "wav": ("wav", "audio/wav", "audio"),
    "ogg": ("ogg", "audio/ogg", "audio"),
    "oga": ("ogg", "audio/ogg", "audio"),
    "opus": ("ogg", "audio/ogg", "audio"),
    "ogv": ("ogg", "video/ogg", "video"),
    "m4a": ("mp4", "audio/mp4", "audio"),
    "mp4": ("mp4", "video/mp4", "video"),
    "m4v": ("mp4", "video/mp4", "video"),
    "webm": ("webm", "video/webm", "video"),
    "weba": ("webm", "audio/webm", "audio"),
}

LABELS = {
    "jpeg": "JPEG",
    "png": "PNG",
    "gif": "GIF",
    "webp": "WebP",
    "mp3": "MP3",
    "wav": "WAV",
    "ogg": "Ogg",
    "mp4": "MP4/M4A",
    "webm": "WebM",
}

# ISO base media brands that are pictures, not sound or film (HEIC, AVIF).
STILL_BRANDS = (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis")


def _mp3_frame(head: bytes) -> bool:
    """An MPEG audio frame header of layer III: 11 sync bits, a valid version, layer bits 01."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version = (head[1] >> 3) & 0b11
    layer = (head[1] >> 1) & 0b11
    bitrate = head[2] >> 4
    rate = (head[2] >> 2) & 0b11
    return version != 0b01 and layer == 0b01 and bitrate not in (0, 15) and rate != 0b11


def format_of(head: bytes) -> str | None:
    """The media format the bytes start with, or None when none of the accepted ones."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:3] == b"ID3" or _mp3_frame(head):
        return "mp3"
    if head[:4] == b"OggS":
        return "ogg"
    if head[4:8] == b"ftyp" and head[8:12] not in STILL_BRANDS:
        return "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3" and b"webm" in head[:HEAD_BYTES]:
        return "webm"
    return None


def extension(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def accepted_extensions() -> str:
    return ", ".join(f".{ext}" for ext in EXTENSIONS)


class SniffError(ValueError):
    """The file is not an accepted media file, or not what its name says; the message (to be
    translated by the caller) is built there, from `reason` and the details."""

    def __init__(self, reason: str, *, ext: str = "", expected: str = "", found: str = "") -> None:
        super().__init__(reason)
        self.reason = reason  # "extension" or "mismatch"
        self.ext = ext
        self.expected = expected
        self.found = found


def sniff(name: str, head: bytes) -> Sniffed:
    """The file's type, kind and label, from its first bytes, checked against its name's
    extension; SniffError when the extension is not accepted or the bytes are something else."""
    ext = extension(name)
    if ext not in EXTENSIONS:
        raise SniffError("extension", ext=ext)
    wanted, content_type, kind = EXTENSIONS[ext]
    found = format_of(head)
    if found != wanted:
        raise SniffError(
            "mismatch", ext=ext, expected=LABELS[wanted], found=LABELS.get(found or "", "")
        )
    return Sniffed(content_type=content_type, kind=kind, label=LABELS[wanted])
