"""An ExternalQuestion answered on a phone: the requester's page, served by a loopback HTTP
server of its own, reads MTurk's query parameters and posts its form to turkSubmitTo; boto3's
ListAssignmentsForHIT then returns the answer."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from microwork.mturk.keys import assignment_id_for
from microwork.mturk.models import Hit
from microwork.mturk.tests.helpers import hit_params, requester_client
from microwork.work.models import Submission
from microwork.work.tests.factories import fund
from microwork.work.tests.test_browser import log_in, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The requester's page, as a psiTurk-style study writes it.
PAGE = b"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>Study</title></head><body>
<h1>How do you feel?</h1><p id="who"></p>
<form id="f" method="post"><input type="hidden" name="assignmentId" id="aid">
<label><input type="radio" name="mood" value="calm"> Calm</label>
<label><input type="radio" name="mood" value="busy"> Busy</label>
<input name="note" id="note"><button id="send" type="submit">Send</button></form>
<script>
const q = new URLSearchParams(location.search);
document.getElementById("aid").value = q.get("assignmentId");
document.getElementById("f").action = q.get("turkSubmitTo") + "/mturk/externalSubmit";
document.getElementById("who").textContent = "Worker " + q.get("workerId");
</script></body></html>"""


class Page(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the standard library's name)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args):
        pass


@pytest.fixture
def requester_site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_worker_answers_an_external_question_on_a_phone(
    live_server, phone, rita, walt, requester_site, past_opening_round
):
    fund(rita.memberships.first().organisation, "20")
    mt = requester_client(live_server.url, rita)
    question = (
        '<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/'
        'AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd">'
        f"<ExternalURL>{requester_site}/study?x=1</ExternalURL>"
        "<FrameHeight>400</FrameHeight></ExternalQuestion>"
    )
    hit = mt.create_hit(**hit_params(Question=question, Title="Mood study", MaxAssignments=1))[
        "HIT"
    ]
    project_id = Hit.objects.get(hit_id=hit["HITId"]).project_id
    past_opening_round()

    log_in(phone, live_server.url, "walt", "walt-pass-123")
    phone.click(f"form[action='/work/p/{project_id}/start/'] button")
    frame = phone.frame_locator("iframe.external-question")
    assert frame.locator("h1").inner_text() == "How do you feel?"
    shown_worker = frame.locator("#who").inner_text()
    frame.locator("input[value=calm]").tap()
    frame.locator("#note").fill("Fine, thanks")
    frame.locator("#send").tap()
    assert frame.locator("#sent").inner_text() == "Answer sent"
    assert wait_for(lambda: Submission.objects.filter(worker=walt).exists())
    # Submit on the task page now goes on: the answer is already stored.
    phone.click("#task-form button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/work/")

    listed = mt.list_assignments_for_hit(HITId=hit["HITId"])["Assignments"]
    assert len(listed) == 1
    assignment = listed[0]
    assert (
        "<QuestionIdentifier>mood</QuestionIdentifier><FreeText>calm</FreeText>"
        in (assignment["Answer"])
    )
    assert "<FreeText>Fine, thanks</FreeText>" in assignment["Answer"]
    # The page was told the WorkerId and AssignmentId the requester now reads.
    assert shown_worker == f"Worker {assignment['WorkerId']}"
    lease = Submission.objects.get(worker=walt).assignment
    assert assignment["AssignmentId"] == assignment_id_for(lease.pk)
    mt.approve_assignment(AssignmentId=assignment["AssignmentId"])
    assert (
        mt.get_assignment(AssignmentId=assignment["AssignmentId"])["Assignment"]["AssignmentStatus"]
        == "Approved"
    )
