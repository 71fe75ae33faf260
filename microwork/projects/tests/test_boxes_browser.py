"""On a phone: a worker marks a street picture with one box drawn by finger and one added with
the keyboard, submits, and the stored answer holds both, inside the picture."""

import io
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from microwork.projects.models import Batch, Task
from microwork.work.models import Assignment, Submission
from microwork.work.tests.factories import live_project
from microwork.work.tests.test_browser import log_in, wait_for

pytestmark = pytest.mark.browser

CONFIG = {
    "question": "Mark every vehicle and person.",
    "labels": [{"value": "car", "text": "Car"}, {"value": "person", "text": "Person"}],
    "shapes": "both",
    "min_shapes": 1,
    "max_shapes": 10,
}


def _picture() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), (120, 180, 230)).save(out, format="PNG")
    return out.getvalue()


def _touch_drag(page, start, end, steps=6):
    """A real finger drag (touch events, so the page sees pointer events of type touch)."""
    cdp = page.context.new_cdp_session(page)
    (x0, y0), (x1, y1) = start, end
    cdp.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]}
    )
    for i in range(1, steps + 1):
        x, y = x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps
        cdp.send(
            "Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]}
        )
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def test_a_worker_draws_one_box_by_touch_and_one_by_keyboard_on_a_phone(
    transactional_db, live_server, phone, settings, tmp_path, rita, walt
):
    settings.MEDIA_ROOT = tmp_path
    name = default_storage.save("street/scene.png", ContentFile(_picture()))
    project = live_project(rita, interface="bounding_boxes", config=CONFIG, overlap=1)
    batch = Batch.objects.create(
        project=project, uploaded_by=rita, filename="t.csv", file_format="csv", status="done"
    )
    Task.objects.create(
        project=project, batch=batch, row_number=1, data={"image_url": f"/media/{name}"}
    )
    base = live_server.url

    log_in(phone, base, "walt", "walt-pass-123")
    phone.click(f"form[action='/work/p/{project.pk}/start/'] button")
    phone.wait_for_selector(".boxes-stage")
    phone.wait_for_function("document.querySelector('.boxes-stage img').naturalWidth > 0")
    stage = phone.locator(".boxes-canvas").bounding_box()
    assert stage["width"] <= 390 and stage["height"] > 100  # the picture fits the phone

    # A car, by finger: from a tenth of the picture in to its middle.
    _touch_drag(
        phone,
        (stage["x"] + stage["width"] * 0.1, stage["y"] + stage["height"] * 0.2),
        (stage["x"] + stage["width"] * 0.5, stage["y"] + stage["height"] * 0.6),
    )
    assert phone.locator(".boxes-list li").count() == 1

    # A person, by keyboard: let go of the car (a label chosen now would relabel it), choose
    # the label, add a box, move it right and make it taller.
    phone.focus(".boxes-stage")
    for key in ["Escape", "2", "n", "ArrowRight", "ArrowRight", "Shift+ArrowDown"]:
        phone.keyboard.press(key)
    assert phone.locator(".boxes-list li").count() == 2
    assignment = Assignment.objects.get(worker=walt)
    assert wait_for(
        lambda: len(json.loads(Assignment.objects.get(pk=assignment.pk).draft or "[]")) == 2
    )

    phone.click("#task-form button[type=submit]")
    assert wait_for(lambda: Submission.objects.filter(worker=walt).exists())
    answer = Submission.objects.get(worker=walt).answer
    assert sorted(s["label"] for s in answer) == ["car", "person"]
    for shape in answer:
        assert shape["x"] >= 0 and shape["x"] + shape["w"] <= 1
        assert shape["y"] >= 0 and shape["y"] + shape["h"] <= 1
        assert shape["w"] > 0.05 and shape["h"] > 0.05
    car = next(s for s in answer if s["label"] == "car")
    assert car["x"] == pytest.approx(0.1, abs=0.03) and car["w"] == pytest.approx(0.4, abs=0.03)
    person = next(s for s in answer if s["label"] == "person")
    assert person["x"] == pytest.approx(0.37) and person["h"] == pytest.approx(0.31)
