"""What a recording holds, measured from its decoded sound: how long it is, how loud its
loudest stretches are, and how much of it is clipped. Browsers record WebM/Opus (Chrome,
Android, Firefox) or MP4/AAC (Safari on iOS and macOS); PyAV decodes both with the FFmpeg it
bundles (docs/decisions/0007-pyav-for-workers-recordings.md). Also makes the short tones the
published example and the demo upload, so they are always files the checks accept."""

import io
from dataclasses import dataclass

import av
import numpy as np

# Everything is measured on mono float samples at this rate: enough for a voice, and cheap.
RATE = 16_000
# Loudness is the level of the loudest tenth of 50 ms windows: pauses between words do not
# make a voice "quiet", and a recording whose loudest moments are below SILENCE_DBFS holds
# no voice at all.
WINDOW = RATE // 20
LOUD_PERCENTILE = 90
# A sample this close to full scale is clipped; a voice is distorted when more than
# CLIPPED_SHARE of its samples are (a lossy codec makes a clipped wave overshoot, so
# "at or over" is counted).
CLIPPED_AT = 0.99


class SoundError(ValueError):
    """The bytes are no sound PyAV can read, or hold a picture too (a video)."""


@dataclass(frozen=True)
class Measured:
    container: str
    codec: str
    duration_seconds: float
    level_dbfs: float
    peak_dbfs: float
    clipped_share: float


def _dbfs(value: float) -> float:
    return round(float(20 * np.log10(max(value, 1e-9))), 1)


def measure(content: bytes, *, max_seconds: float) -> Measured:
    """Decode `content` (no further than `max_seconds` plus one, so a long file costs no more
    than the longest accepted one) and measure it. SoundError when it cannot be read, has no
    sound, or has a video stream."""
    parts: list[np.ndarray] = []
    decoded = 0
    limit = int((max_seconds + 1) * RATE)
    try:
        with av.open(io.BytesIO(content), mode="r") as container:
            if container.streams.video:
                raise SoundError("video")
            if not container.streams.audio:
                raise SoundError("no_audio")
            stream = container.streams.audio[0]
            codec = stream.codec_context.name
            resampler = av.AudioResampler(format="flt", layout="mono", rate=RATE)
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    samples = out.to_ndarray().reshape(-1)
                    parts.append(samples)
                    decoded += len(samples)
                if decoded > limit:
                    break
            else:
                for out in resampler.resample(None):
                    parts.append(out.to_ndarray().reshape(-1))
            name = container.format.name
    except SoundError:
        raise
    except (av.FFmpegError, ValueError, IndexError, EOFError, OSError) as exc:
        raise SoundError("unreadable") from exc
    samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    if not len(samples):
        return Measured(name, codec, 0.0, _dbfs(0), _dbfs(0), 0.0)
    usable = len(samples) - len(samples) % WINDOW
    windows = samples[:usable].reshape(-1, WINDOW) if usable else samples.reshape(1, -1)
    rms = np.sqrt(np.mean(np.square(windows, dtype=np.float64), axis=1))
    return Measured(
        container=name,
        codec=codec,
        duration_seconds=round(len(samples) / RATE, 2),
        level_dbfs=_dbfs(float(np.percentile(rms, LOUD_PERCENTILE))),
        peak_dbfs=_dbfs(float(np.max(np.abs(samples)))),
        clipped_share=round(float(np.mean(np.abs(samples) >= CLIPPED_AT)), 4),
    )


def tone_samples(seconds: float, *, amplitude: float = 0.3, rate: int = 48_000) -> np.ndarray:
    """A voice-like test sound: a tone whose loudness rises and falls three times a second."""
    t = np.arange(int(rate * seconds)) / rate
    return amplitude * np.sin(2 * np.pi * 220 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))


def encode(
    samples: np.ndarray, *, rate: int = 48_000, fmt: str = "webm", codec: str = "libopus"
) -> bytes:
    """Mono float samples as a recording a browser could have made (WebM/Opus by default,
    `fmt="mp4", codec="aac"` for Safari's)."""
    out = io.BytesIO()
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype(np.int16)
    with av.open(out, "w", format=fmt) as container:
        stream = container.add_stream(codec, rate=rate)
        if not isinstance(stream, av.AudioStream):
            raise ValueError(f"{codec} is not an audio codec")
        stream.layout = "mono"
        stream.bit_rate = 24_000
        for start in range(0, len(pcm), 960):
            frame = av.AudioFrame.from_ndarray(
                pcm[start : start + 960].reshape(1, -1), format="s16", layout="mono"
            )
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out.getvalue()
