"""A media file's type comes from its bytes and must be what its name says."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microwork.projects.media.sniffing import SniffError, format_of, sniff
from microwork.projects.tests.media_samples import HTML, JPEG, MP4, PNG, SAMPLES, WEBM


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_accepted_format_is_known_by_its_bytes(name):
    data, content_type, kind = SAMPLES[name]
    sniffed = sniff(name, data[:64])
    assert (sniffed.content_type, sniffed.kind) == (content_type, kind)


@pytest.mark.parametrize(
    ("name", "data", "found"),
    [
        ("cat.png", JPEG, "JPEG"),
        ("cat.jpg", PNG, "PNG"),
        ("cat.png", HTML, ""),
        ("clip.mp4", WEBM, "WebM"),
        ("voice.mp3", MP4, "MP4/M4A"),
        ("clip.webm", b"\x1a\x45\xdf\xa3" + b"matroska" + bytes(40), ""),
        ("photo.mp4", b"\x00\x00\x00\x18ftypheic" + bytes(40), ""),
    ],
)
def test_bytes_that_are_not_what_the_name_says_are_refused(name, data, found):
    with pytest.raises(SniffError) as caught:
        sniff(name, data)
    assert caught.value.reason == "mismatch" and caught.value.found == found


@pytest.mark.parametrize("name", ["page.html", "icon.svg", "noext", "movie.avi", "x.PNG.exe"])
def test_other_kinds_of_file_are_refused_by_their_name(name):
    with pytest.raises(SniffError) as caught:
        sniff(name, PNG)
    assert caught.value.reason == "extension"


def test_the_extension_is_read_without_regard_to_case():
    assert sniff("CAT.PNG", PNG).content_type == "image/png"


@given(st.binary(max_size=64))
def test_the_sniffer_takes_any_bytes(head):
    assert format_of(head) in (
        None,
        "jpeg",
        "png",
        "gif",
        "webp",
        "wav",
        "mp3",
        "ogg",
        "mp4",
        "webm",
    )
