"""Small files with the first bytes of each accepted media format, and ZIPs of them."""

import io
import zipfile

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 2
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(200))
GIF = b"GIF89a" + bytes(100)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(100)
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(100)
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(200)
MP3_FRAME = b"\xff\xfb\x90\x64" + bytes(200)
OGG = b"OggS\x00\x02" + bytes(100)
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00" + bytes(100)
MP4 = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00" + bytes(100)
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm" + bytes(100)
HTML = b"<!doctype html><script>alert(1)</script>"

SAMPLES = {
    "cat.png": (PNG, "image/png", "image"),
    "cat.jpg": (JPEG, "image/jpeg", "image"),
    "cat.jpeg": (JPEG, "image/jpeg", "image"),
    "cat.gif": (GIF, "image/gif", "image"),
    "cat.webp": (WEBP, "image/webp", "image"),
    "voice.wav": (WAV, "audio/wav", "audio"),
    "voice.mp3": (MP3, "audio/mpeg", "audio"),
    "frame.mp3": (MP3_FRAME, "audio/mpeg", "audio"),
    "voice.ogg": (OGG, "audio/ogg", "audio"),
    "voice.m4a": (M4A, "audio/mp4", "audio"),
    "clip.mp4": (MP4, "video/mp4", "video"),
    "clip.webm": (WEBM, "video/webm", "video"),
}


def make_zip(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


class Endless:
    """A stream of `size` bytes that starts with `head`, made as it is read, counting what was
    read: a 2 GB video that nobody has to hold."""

    def __init__(self, head: bytes, size: int) -> None:
        self.head = head
        self.size = size
        self.read_bytes = 0

    def read(self, n: int = -1) -> bytes:
        left = self.size - self.read_bytes
        n = left if n is None or n < 0 else min(n, left)
        n = min(n, 1024 * 1024)
        start = self.read_bytes
        chunk = (
            (self.head[start : start + n] + bytes(n))[:n] if start < len(self.head) else bytes(n)
        )
        self.read_bytes += len(chunk)
        return chunk
