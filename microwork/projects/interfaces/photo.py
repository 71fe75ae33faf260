"""Photo collection: the task says what to photograph; the worker takes the picture with the
phone's camera (or chooses a file on a computer) and it is uploaded with the answer.

The answer is `{"photo": ref}`, the ref of a complete upload (work app). The picture is checked
from its bytes (JPEG, PNG or WebP, whatever its name or the browser says), turned the way the
camera held it, and stored without its EXIF data: where it was taken and with which device are
personal data the requester has no use for. A project that does need the place declares it
(`needs_location`) and says why to the worker (`location_reason`); then the location alone is
kept, never the device."""

import base64
import io
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from microwork.lib.errors import ApplicationError
from microwork.projects.interfaces.base import CheckedFile, invalid
from microwork.projects.interfaces.fields import Flag, Integer, Text
from microwork.projects.interfaces.one_file import REF_SCHEMA, OneFileAnswer
from microwork.projects.media.sniffing import HEAD_BYTES, format_of

# Pillow's names, content types and storage extensions of the accepted pictures.
FORMATS = {
    "jpeg": ("JPEG", "image/jpeg", "jpg"),
    "png": ("PNG", "image/png", "png"),
    "webp": ("WEBP", "image/webp", "webp"),
}
# A phone's camera makes 12 to 50 million pixels; more is not a photo but a decompression bomb.
MAX_PIXELS = 60_000_000
GPS_IFD = 0x8825
# What Pillow writes a re-encoded JPEG or WebP with: no visible loss on a phone's photo.
QUALITY = 90


def _sample_jpeg() -> bytes:
    """A tiny valid JPEG for the published example (made here, so it is always readable)."""
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (200, 80, 40)).save(out, "JPEG", quality=80)
    return out.getvalue()


class PhotoCollection(OneFileAnswer):
    key = "photo_collection"
    title = gettext_lazy("Photo collection")
    description = gettext_lazy(
        "The task says what to photograph; the worker takes the photo with the phone's camera "
        "(or chooses a picture on a computer). Location and device details are removed unless "
        "the project needs the location and tells the worker why."
    )
    template_name = "projects/interfaces/photo_collection.html"
    view_template_name = "projects/interfaces/photo_collection_view.html"
    scripts = ("projects/worker_upload.js", "projects/photo.js")
    answer_field = "photo"
    file_fields = ("photo",)
    missing = gettext_lazy("Take or choose a photo, and wait until it is uploaded.")
    shown_as = gettext_lazy("a photo")
    # What a photo shows is the requester's to declare (a face, a document); where it was
    # taken is collected by nature when the project keeps the location.
    config_fields = (
        Text(
            name="question",
            label=gettext_lazy("Instructions above the task"),
            help=gettext_lazy("Optional; e.g. Take the photo in daylight, the whole sign visible."),
            required=False,
            max_length=500,
        ),
        Integer(
            name="min_side",
            label=gettext_lazy("Shortest side at least (pixels)"),
            help=gettext_lazy("0 accepts any size; at most 4000."),
            required=False,
            default=0,
            minimum=0,
            maximum=4000,
        ),
        Flag(
            name="needs_location",
            label=gettext_lazy("Keep where each photo was taken (its GPS location)"),
            default=False,
        ),
        Text(
            name="location_reason",
            label=gettext_lazy("Why you need the location, as the worker will read it"),
            help=gettext_lazy("Required when the location is kept."),
            required=False,
            max_length=500,
        ),
    )
    input_schema = {
        "type": "object",
        "properties": {
            "subject": {
                "type": "string",
                "minLength": 1,
                "maxLength": 1_000,
                "description": gettext_lazy("What to photograph, as the worker reads it."),
            },
        },
        "required": ["subject"],
        "examples": [{"subject": "The front of a pharmacy, with its sign readable."}],
    }
    answer_schema = {
        "type": "object",
        "properties": {"photo": REF_SCHEMA},
        "required": ["photo"],
        "description": gettext_lazy(
            'The photo: {"photo": ref}, the ref answered by POST '
            "/api/work/assignments/{id}/files once the picture is uploaded."
        ),
        "examples": [{"photo": "Xb3k…"}],
    }
    example = {
        "config": {"question": "Take the photo in daylight.", "min_side": 0},
        "data": {"subject": "The front of a pharmacy, with its sign readable."},
        "answer": {"photo": "ref-of-the-uploaded-file"},
        "files": {
            "photo": {
                "name": "pharmacy.jpg",
                "content_type": "image/jpeg",
                "base64": base64.b64encode(_sample_jpeg()).decode(),
            }
        },
    }

    def check_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        clean = super().check_config(config)
        if clean.get("needs_location") and not clean.get("location_reason"):
            raise ApplicationError(
                _("Say why you need the location: the worker reads it before taking the photo."),
                field="location_reason",
            )
        if not clean.get("needs_location"):
            clean["location_reason"] = None
        return clean

    def personal_data_for(self, config: Mapping[str, Any]) -> tuple[str, ...]:
        return ("location",) if config.get("needs_location") else ()

    def check_file(
        self, config: Mapping[str, Any], field: str, content: bytes, name: str
    ) -> CheckedFile:
        found = format_of(content[:HEAD_BYTES])
        if found not in FORMATS:
            raise invalid(
                field,
                _("%(field)s: the file is not a JPEG, PNG or WebP picture.") % {"field": field},
                code="file_type",
            )
        pillow_name, content_type, extension = FORMATS[found]
        try:
            with Image.open(io.BytesIO(content), formats=[pillow_name]) as opened:
                width, height = opened.size
                if width * height > MAX_PIXELS:
                    raise invalid(
                        field,
                        _("%(field)s: the picture has more than %(n)d million pixels.")
                        % {"field": field, "n": MAX_PIXELS // 1_000_000},
                        code="file_too_large",
                    )
                gps = opened.getexif().get_ifd(GPS_IFD) if config.get("needs_location") else {}
                picture = ImageOps.exif_transpose(opened)
                picture.load()
        except (
            UnidentifiedImageError,
            OSError,
            SyntaxError,
            ValueError,
            Image.DecompressionBombError,
        ):
            raise invalid(
                field,
                _("%(field)s: the picture cannot be read; take it again.") % {"field": field},
                code="file_type",
            ) from None
        min_side = int(config.get("min_side") or 0)
        if min(picture.size) < min_side:
            raise invalid(
                field,
                _(
                    "%(field)s: the picture is %(w)d×%(h)d pixels; its shortest side must be at "
                    "least %(min)d."
                )
                % {"field": field, "w": picture.width, "h": picture.height, "min": min_side},
                code="file_too_small",
            )
        return CheckedFile(
            content=_without_exif(picture, pillow_name, gps),
            content_type=content_type,
            extension=extension,
            facts={
                "width": picture.width,
                "height": picture.height,
                "location_kept": bool(gps),
            },
        )


def _without_exif(picture: Image.Image, pillow_name: str, gps: Mapping[int, Any]) -> bytes:
    """The picture written again with no EXIF block, or one holding the GPS location alone.
    Writing it again (not copying the file) is what drops every other tag, maker notes and
    the embedded thumbnail with them."""
    exif = Image.Exif()
    if gps:
        exif[GPS_IFD] = dict(gps)
    out = io.BytesIO()
    options: dict[str, Any] = {"exif": exif.tobytes()} if gps else {}
    if pillow_name == "JPEG":
        picture = picture.convert("RGB") if picture.mode not in ("RGB", "L") else picture
        options.update(quality=QUALITY, optimize=True)
    elif pillow_name == "WEBP":
        options.update(quality=QUALITY)
    picture.save(out, pillow_name, **options)
    return out.getvalue()
