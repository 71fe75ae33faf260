"""A requester's own HTML form: what the allow-list refuses (naming the line and the
construct), how the controls become the answer's fields and the placeholders the task's
columns, how values are escaped into the frame, and how answers are checked."""

import json
import time

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from microwork.lib.errors import ApplicationError
from microwork.projects import html_sanitise
from microwork.projects.html_sanitise import FormError, sanitise
from microwork.projects.interfaces import get_interface
from microwork.projects.interfaces.html_form import EXAMPLE_HTML
from microwork.projects.models import Task
from microwork.projects.templatetags.html_forms import FRAME_CSP, frame_document
from microwork.projects.tests.factories import ProjectFactory
from microwork.projects.tests.test_uploads import upload

FORM = """<p>Is <strong>${name}</strong> at ${address}?</p>
<img src="${photo}" alt="Shop front">
<fieldset><legend>The listing is</legend>
<label><input type="radio" name="verdict" value="correct" required> Correct</label>
<label><input type="radio" name="verdict" value="wrong"> Wrong</label></fieldset>
<label><input type="checkbox" name="closed"> Closed</label>
<label><input type="checkbox" name="tags" value="food"> Food</label>
<label><input type="checkbox" name="tags" value="drink"> Drink</label>
<input type="number" name="stars" min="1" max="5">
<select name="city" required><option value="">Choose…</option><option>Lagos</option>
<option value="abj">Abuja</option></select>
<textarea name="note" maxlength="20"></textarea>"""

FORM_CONFIG = {"html": FORM, "checked_by": "majority"}


@pytest.fixture
def form_interface():
    return get_interface("html_form")


def refused(html):
    with pytest.raises(FormError) as caught:
        sanitise(html)
    return caught.value.reason


def config_refused(html):
    interface = get_interface("html_form")
    with pytest.raises(ApplicationError) as caught:
        interface.check_config({"html": html})
    assert caught.value.field == "html"
    return caught.value.message


# --- refused constructs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "named"),
    [
        ('<input name="a"><script>alert(1)</script>', "<script>"),
        ('<input name="a"><SCRIPT src="x.js"></SCRIPT>', "<script>"),
        ('<input name="a"><style>p{}</style>', "<style>"),
        ('<input name="a"><iframe src="https://x.example"></iframe>', "<iframe>"),
        ('<form action="https://evil.example"><input name="a"></form>', "<form>"),
        ('<input name="a"><button>Go</button>', "<button>"),
        ('<input name="a"><object data="x"></object>', "<object>"),
        ('<input name="a"><embed src="x">', "<embed>"),
        ('<input name="a"><link rel="stylesheet" href="x.css">', "<link>"),
        ('<input name="a"><meta http-equiv="refresh" content="0">', "<meta>"),
        ('<input name="a"><base href="https://evil.example/">', "<base>"),
        ('<input name="a"><svg onload="x"></svg>', "<svg>"),
        ('<input name="a" onclick="steal()">', "onclick"),
        ('<p onmouseover="x">hi</p><input name="a">', "onmouseover"),
        ('<p style="color:red">hi</p><input name="a">', "style"),
        ('<a href="javascript:alert(1)">x</a><input name="a">', "javascript:alert(1)"),
        ('<a href="  JaVaScRiPt:alert(1)">x</a><input name="a">', "alert(1)"),
        ('<a href="java&#x09;script:alert(1)">x</a><input name="a">', "<a>"),
        ('<img src="data:image/png;base64,AAAA"><input name="a">', "data:image/png"),
        ('<img src="//evil.example/x.png"><input name="a">', "<img>"),
        ('<input type="hidden" name="a" value="1">', "hidden"),
        ('<input type="password" name="a">', "password"),
        ('<input type="submit" name="a">', "submit"),
        ('<input type="file" name="a">', "file"),
        ('<input name="a" formaction="https://evil.example">', "formaction"),
        ('<p data-x="1">hi</p><input name="a">', "data-x"),
        ('<input name="a"><?php echo 1 ?>', "<?"),
    ],
)
def test_a_construct_that_could_run_load_or_send_is_refused_by_name(html, named):
    reason = refused(html)
    assert named.lower() in reason.lower()
    assert reason.startswith("line 1:")


def test_the_refusal_names_the_line_and_the_setting(form_interface):
    message = config_refused('<p>ok</p>\n<input name="a">\n<p>fine</p>\n<script>x()</script>')
    assert "HTML form" in message and "line 4" in message and "<script>" in message


def test_a_form_without_fields_is_refused():
    assert "no field" in refused("<p>Just text</p>")


def test_a_control_needs_a_name():
    assert "name" in refused('<input type="text">')
    assert "name" in refused('<input type="text" name="1abc">')


def test_the_platforms_own_names_are_refused():
    assert "csrfmiddlewaretoken" in refused('<input name="csrfmiddlewaretoken">')
    assert "active_ms" in refused('<input name="active_ms">')


def test_a_name_used_by_two_kinds_of_control_is_refused():
    assert "twice" in refused('<input name="a"><textarea name="a"></textarea>')
    assert "twice" in refused('<input type="radio" name="a" value="x"><input name="a">')
    assert "twice" in refused(
        '<input type="radio" name="a" value="x"><input type="radio" name="a" value="x">'
    )


def test_a_radio_needs_a_value():
    assert "value" in refused('<input type="radio" name="a">')


def test_a_placeholder_cannot_shape_the_answer():
    assert "placeholder" in refused('<input name="${field}">')
    assert "placeholder" in refused('<select name="a"><option value="${x}">x</option></select>')


def test_deep_nesting_is_refused():
    assert "deep" in refused("<div>" * 200 + '<input name="a">')


def test_a_form_longer_than_the_limit_is_refused():
    assert "100000" in refused('<input name="a">' + "x" * 100_001)


def test_comments_and_doctype_are_dropped_not_shown():
    form = sanitise('<!DOCTYPE html><!-- secret --><input name="a">')
    assert "secret" not in html_sanitise.render(form, {})


# --- fields → answer schema -----------------------------------------------------------------


def test_controls_declare_the_answer_schema(form_interface):
    schema = form_interface.answer_schema_for(FORM_CONFIG)
    props = schema["properties"]
    assert list(props) == ["verdict", "closed", "tags", "stars", "city", "note"]
    assert props["verdict"] == {"type": "string", "enum": ["correct", "wrong"]}
    assert props["closed"]["type"] == "boolean"
    assert props["tags"]["items"]["enum"] == ["food", "drink"]
    assert props["stars"] == {"type": "number", "minimum": 1.0, "maximum": 5.0}
    assert props["city"]["enum"] == ["Lagos", "abj"]  # the "Choose…" option is no answer
    assert props["note"]["maxLength"] == 20
    assert schema["required"] == ["verdict", "city"]


def test_a_range_has_bounds_even_unwritten(form_interface):
    schema = form_interface.answer_schema_for({"html": '<input type="range" name="r">'})
    assert schema["properties"]["r"] == {"type": "number", "minimum": 0.0, "maximum": 100.0}


def test_a_multiple_select_is_a_list(form_interface):
    html = '<select name="s" multiple><option>a</option><option>b</option></select>'
    props = form_interface.answer_schema_for({"html": html})["properties"]
    assert props["s"]["type"] == "array"


# --- placeholders → input schema ------------------------------------------------------------


def test_placeholders_declare_the_tasks_columns(form_interface):
    schema = form_interface.input_schema_for(FORM_CONFIG)
    assert schema["required"] == ["name", "address", "photo"]
    assert form_interface.input_fields_for(FORM_CONFIG) == ("name", "address", "photo")
    columns = form_interface.input_columns(FORM_CONFIG)
    assert [c["name"] for c in columns] == ["name", "address", "photo"]
    assert all(c["required"] for c in columns)


def test_placeholder_names_are_case_insensitive_like_upload_columns(form_interface):
    config = {"html": '<p>${Title} ${TITLE}</p><input name="a">'}
    assert form_interface.input_fields_for(config) == ("title",)
    form = sanitise(config["html"])
    assert html_sanitise.render(form, {"title": "Hi"}).startswith("<p>Hi Hi</p>")


def test_uploads_need_the_placeholder_columns(rita):
    project = ProjectFactory(interface="html_form", config=FORM_CONFIG)
    with pytest.raises(ApplicationError) as caught:
        upload(project, project.created_by, "name,address\nShop,Street\n")
    assert {p["field"] for p in caught.value.details} == {"photo"}
    result = upload(
        project, project.created_by, "name,address,photo\nShop,Street,https://img.example/1.jpg\n"
    )
    assert result.batch is not None
    assert Task.objects.get().data == {
        "name": "Shop",
        "address": "Street",
        "photo": "https://img.example/1.jpg",
    }


def test_a_row_that_makes_an_unsafe_address_is_refused(rita):
    project = ProjectFactory(interface="html_form", config=FORM_CONFIG)
    with pytest.raises(ApplicationError) as caught:
        upload(project, project.created_by, "name,address,photo\nShop,Street,javascript:x()\n")
    assert [p["field"] for p in caught.value.details] == ["photo"]
    assert not Task.objects.exists()


# --- rendering ------------------------------------------------------------------------------


def test_values_are_escaped_in_text_and_in_attributes():
    form = sanitise('<p title="${t}">${t}</p><input name="a" value="${t}">')
    out = html_sanitise.render(form, {"t": '"><script>alert(1)</script>'})
    assert "<script>" not in out
    assert 'title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in out
    assert "<p" in out and "&lt;script&gt;" in out


def test_an_address_is_checked_again_once_filled_in():
    form = sanitise('<a href="${link}">x</a><img src="${pic}"><input name="a">')
    out = html_sanitise.render(form, {"link": "javascript:alert(1)", "pic": "data:image/png,x"})
    assert "javascript" not in out and "data:" not in out
    ok = html_sanitise.render(form, {"link": "https://shop.example/", "pic": "https://i.example/a"})
    assert 'href="https://shop.example/"' in ok and 'src="https://i.example/a"' in ok


def test_links_open_outside_the_frame():
    out = html_sanitise.render(sanitise('<a href="https://x.example">x</a><input name="a">'), {})
    assert 'target="_blank"' in out and 'rel="noopener noreferrer"' in out


def test_media_addresses_are_signed_for_the_viewer():
    form = sanitise('<img src="${pic}"><input name="a">')
    out = html_sanitise.render(form, {"pic": "/media/demo/a.png"}, media=lambda p: p + "?sig=1")
    assert 'src="/media/demo/a.png?sig=1"' in out


def test_a_draft_fills_the_controls():
    form = sanitise(FORM)
    draft = {"verdict": "wrong", "closed": ["on"], "tags": ["drink"], "city": "abj", "note": "<b>"}
    out = html_sanitise.render(form, {}, draft=draft)
    assert 'value="wrong" checked=""' in out
    assert 'value="correct" required=""' in out and 'value="correct" required="" checked' not in out
    assert 'name="closed" checked=""' in out
    assert 'value="drink" checked=""' in out and 'value="food" checked' not in out
    assert '<option value="abj" selected="">' in out
    assert '<textarea name="note" maxlength="20">&lt;b&gt;</textarea>' in out


def test_the_frame_runs_nothing_and_carries_its_own_policy(rita):
    document = frame_document(FORM_CONFIG, {"name": "x"}, None, user=rita)
    assert f'<meta http-equiv="Content-Security-Policy" content="{FRAME_CSP}">' in document
    assert "default-src 'none'" in FRAME_CSP and "form-action 'none'" in FRAME_CSP
    assert "<script" not in document


def test_the_worker_template_frames_the_form_sandboxed(rita):
    request = RequestFactory().get("/")
    request.user = rita
    page = render_to_string(
        "projects/interfaces/html_form.html",
        {
            "config": FORM_CONFIG,
            "data": {"name": "<Shop>", "address": "a", "photo": "https://i.example/1"},
            "draft": {"verdict": "wrong"},
            "request": request,
        },
    )
    assert 'sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"' in page
    assert "allow-scripts" not in page
    # The document is an attribute: all of it escaped once more, the shop's name twice.
    assert 'srcdoc="&lt;!DOCTYPE html&gt;' in page
    assert "&amp;lt;Shop&amp;gt;" in page
    # The platform form's copies of the fields, the draft in them.
    assert '<input type="text" name="verdict" value="wrong"' in page
    assert '<input type="checkbox" name="tags" value="food" data-kind="choices"' in page


def test_the_view_lists_fields_and_values(form_interface):
    page = render_to_string(
        form_interface.view_template_name,
        {
            "config": FORM_CONFIG,
            "data": {"name": "Shop"},
            "answer": {"verdict": "wrong", "closed": True, "tags": ["food"]},
            "has_answer": True,
        },
    )
    assert "<dt>verdict</dt><dd><strong>wrong</strong></dd>" in page
    assert "<dt>closed</dt><dd><strong>yes</strong></dd>" in page


# --- answers --------------------------------------------------------------------------------

GOOD = {"verdict": "wrong", "closed": True, "tags": ["drink", "food"], "stars": "4", "city": "abj"}


def test_a_good_answer_is_cleaned_into_every_field(form_interface):
    answer = form_interface.check_answer(FORM_CONFIG, {}, GOOD)
    assert answer == {
        "verdict": "wrong",
        "closed": True,
        "tags": ["food", "drink"],  # in the form's order
        "stars": 4,
        "city": "abj",
        "note": "",
    }
    assert form_interface.answer_text(FORM_CONFIG, answer).startswith("verdict: wrong; closed: yes")


def test_an_unknown_field_is_refused_by_name(form_interface):
    with pytest.raises(ApplicationError) as caught:
        form_interface.check_answer(FORM_CONFIG, {}, {**GOOD, "secret": "1"})
    assert caught.value.field == "answer.secret"
    assert "secret" in caught.value.message


def test_required_fields_are_honoured(form_interface):
    with pytest.raises(ApplicationError) as caught:
        form_interface.check_answer(FORM_CONFIG, {}, {"city": "abj"})
    assert caught.value.field == "answer.verdict"
    required_box = {"html": '<input type="checkbox" name="agree" required>'}
    with pytest.raises(ApplicationError) as caught:
        form_interface.check_answer(required_box, {}, {"agree": False})
    assert "agree" in caught.value.message


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"verdict": "maybe"}, "answer.verdict"),
        ({"city": "Kano"}, "answer.city"),
        ({"tags": ["food", "sport"]}, "answer.tags"),
        ({"stars": "9"}, "answer.stars"),
        ({"stars": "many"}, "answer.stars"),
        ({"stars": True}, "answer.stars"),
        ({"note": "x" * 21}, "answer.note"),
        ({"closed": "perhaps"}, "answer.closed"),
    ],
)
def test_a_value_the_form_cannot_give_is_refused(form_interface, change, field):
    with pytest.raises(ApplicationError) as caught:
        form_interface.check_answer(FORM_CONFIG, {}, {**GOOD, **change})
    assert caught.value.field == field


def test_an_answer_that_is_not_an_object_is_refused(form_interface):
    with pytest.raises(ApplicationError) as caught:
        form_interface.check_answer(FORM_CONFIG, {}, "wrong")
    assert caught.value.field == "answer" and "verdict" in caught.value.message


def test_a_form_post_becomes_the_answer(form_interface):
    from django.http import QueryDict

    post = QueryDict(mutable=True)
    post.update({"verdict": "correct", "city": "Lagos", "csrfmiddlewaretoken": "t"})
    post.setlist("tags", ["food"])
    answer = form_interface.answer_from_form(FORM_CONFIG, post)
    assert answer["closed"] is False and answer["tags"] == ["food"]
    checked = form_interface.check_answer(FORM_CONFIG, {}, answer)
    assert checked["verdict"] == "correct" and checked["stars"] is None


def test_reviewers_or_majority(form_interface):
    assert not form_interface.reviewed_for(FORM_CONFIG)
    assert form_interface.reviewed_for({**FORM_CONFIG, "checked_by": "reviewers"})
    with pytest.raises(ApplicationError) as caught:
        form_interface.check_config({"html": EXAMPLE_HTML, "checked_by": "robots"})
    assert caught.value.field == "checked_by"


def test_the_example_is_valid(form_interface):
    example = form_interface.example
    config = form_interface.check_config(example["config"])
    assert form_interface.check_input(config, example["data"]) == example["data"]
    assert form_interface.check_answer(config, example["data"], example["answer"])


def _best_time(text, tries=5):
    best = float("inf")
    for _ in range(tries):
        start = time.perf_counter()
        sanitise(text)
        best = min(best, time.perf_counter() - start)
    return best


def test_a_100kb_form_is_read_in_linear_time():
    controls = "".join(
        f'<p>${{name}} <label><input type="radio" name="q{i}" value="a"> A</label></p>\n'
        for i in range(html_sanitise.MAX_FIELDS)
    )
    filler = "<p>" + "word &amp; " * 20 + "</p>\n"

    def form(size):
        return controls + filler * ((size - len(controls)) // len(filler))

    big, quarter = form(99_000), form(25_000)
    assert 95_000 < len(big) <= html_sanitise.MAX_HTML
    # Four times the text, well under sixteen times the time (a quadratic read would be 16×).
    assert _best_time(big) < 8 * _best_time(quarter) + 0.005
    assert _best_time(big, tries=1) < 2.0


def test_hostile_nesting_near_the_limit_stays_fast():
    hostile = "<b><i>" * 49 + '<input name="a">' + "</p>" * 30_000
    start = time.perf_counter()
    sanitise(hostile[: html_sanitise.MAX_HTML])
    assert time.perf_counter() - start < 2.0


def test_the_api_publishes_the_projects_own_schemas(client, rita_token, rita):
    response = client.post(
        "/api/projects",
        data=json.dumps(
            {
                "name": "Listings",
                "description": "Check listings.",
                "instructions": "Look closely.",
                "interface": "html_form",
                "config": FORM_CONFIG,
                "reward": "0.10",
                "estimated_seconds": 30,
                "overlap": 1,
            }
        ),
        content_type="application/json",
        headers={"Authorization": f"Bearer {rita_token}"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["input_schema"]["required"] == ["name", "address", "photo"]
    assert "verdict" in body["answer_schema"]["properties"]


def test_the_api_refuses_a_form_with_a_script_naming_the_field(client, rita_token):
    response = client.post(
        "/api/projects",
        data=json.dumps(
            {
                "name": "Listings",
                "description": "Check listings.",
                "instructions": "Look closely.",
                "interface": "html_form",
                "config": {"html": '<input name="a">\n<script>steal()</script>'},
                "reward": "0.10",
                "estimated_seconds": 30,
                "overlap": 1,
            }
        ),
        content_type="application/json",
        headers={"Authorization": f"Bearer {rita_token}"},
    )
    assert response.status_code in (400, 422), response.content
    text = response.content.decode()
    assert "html" in text and "line 2" in text and "script" in text


# --- pages ----------------------------------------------------------------------------------


@pytest.fixture
def rita_client(client, rita):
    client.force_login(rita)
    return client


def test_the_project_form_takes_the_html_in_a_text_area_and_names_a_refusal(rita_client, acme):
    from django.urls import reverse

    from microwork.projects.models import Project
    from microwork.projects.tests.factories import FORM as PROJECT_FORM

    page = rita_client.get(reverse("projects:create")).content.decode()
    assert 'name="html_form-html"' in page and "<textarea" in page
    bad = {
        **PROJECT_FORM,
        "interface": "html_form",
        "html_form-html": '<input name="a">\n<p onclick="x()">hi</p>',
    }
    r = rita_client.post(reverse("projects:create"), bad)
    assert r.status_code == 400
    assert "line 2" in r.content.decode() and "onclick" in r.content.decode()
    assert not Project.objects.exists()
    good = {**bad, "html_form-html": FORM, "html_form-checked_by": "reviewers"}
    r = rita_client.post(reverse("projects:create"), good)
    assert r.status_code == 302, r.content.decode()[:2000]
    project = Project.objects.get()
    assert project.config == {"html": FORM, "checked_by": "reviewers"}
    upload_page = rita_client.get(reverse("projects:upload", args=[project.pk])).content.decode()
    assert "<code>address</code>" in upload_page and "<code>text</code>" not in upload_page


def test_the_task_page_frames_the_form_and_a_refused_post_keeps_the_workers_values(
    client, rita, walt
):
    from microwork.work.models import Assignment, Submission
    from microwork.work.tests.factories import add_tasks, live_project

    project = live_project(
        rita,
        interface="html_form",
        config=FORM_CONFIG,
        overlap=1,
    )
    tasks = add_tasks(project, 2)
    for task in tasks:
        task.data = {"name": "Shop", "address": "Street", "photo": "https://i.example/1"}
    Task.objects.bulk_update(tasks, ["data"])
    client.force_login(walt)
    r = client.post(f"/work/p/{project.pk}/start/")
    assignment = Assignment.objects.get(worker=walt)
    page = client.get(r["Location"]).content.decode()
    assert "iframe" in page and "projects/html_form.js" in page and "work/task.js" in page
    # Without a verdict: refused, the page comes back with the worker's note in the frame.
    r = client.post(
        f"/work/a/{assignment.pk}/", {"city": "abj", "note": "gone", "active_ms": "2000"}
    )
    assert r.status_code == 400
    again = r.content.decode()
    assert "verdict" in again
    assert '<input type="text" name="note" value="gone"' in again
    assert "&gt;gone&lt;/textarea&gt;" in again
    r = client.post(
        f"/work/a/{assignment.pk}/",
        {"verdict": "correct", "city": "abj", "tags": ["food"], "stars": "3", "active_ms": "2000"},
    )
    assert r.status_code == 302
    assert Submission.objects.get().answer == {
        "verdict": "correct",
        "closed": False,
        "tags": ["food"],
        "stars": 3,
        "city": "abj",
        "note": "",
    }
