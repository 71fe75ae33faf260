"""Property-based test of the whole API against its own OpenAPI document (schemathesis): for
every operation, generated valid and invalid requests, as a requester and as a worker, must get
answers the document describes — never a 500, a status, content type, header or body it does
not list, or an invalid input accepted."""

from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.config._checks import PositiveDataAcceptanceConfig

from config.wsgi import application
from microwork.accounts.access import access_organisation_for_requester
from microwork.ledger.services.deposits import deposit_record
from microwork.projects.models import Batch, Project, Task
from microwork.projects.services.projects import project_create, project_set_status

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

EXAMPLES = 20


@pytest.fixture
def live_project(rita, omar):
    # Rita's organisation has money in, and one live project with tasks, a control task
    # among them, so the worker's operations have something to find.
    acme = access_organisation_for_requester(user=rita)
    deposit_record(organisation=acme, amount="50", currency="USD", reference="d", actor=omar)
    project = project_create(
        organisation=acme,
        actor=rita,
        name="Image moderation",
        description="Is each image fine for a family site?",
        interface="single_choice",
        config={"question": "Is this image acceptable?", "labels": ["ok|Acceptable", "gory|Gory"]},
        reward=Decimal("0.05"),
        estimated_seconds=20,
        overlap=3,
        gold_rate=Decimal("0"),
    )
    batch = Batch.objects.create(
        project=project, uploaded_by=rita, filename="t.csv", file_format="csv", status="done"
    )
    Task.objects.bulk_create(
        [
            Task(project=project, batch=batch, row_number=i + 1, data={"text": f"Picture {i}"})
            for i in range(20)
        ]
    )
    project_set_status(project=project, actor=rita, status=Project.Status.LIVE)
    return project


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # Schemathesis calls the WSGI application directly, whose end-of-request signal closes
    # the database connection, and with it the test's transaction; Django's test client
    # unhooks the same receiver for the same reason.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# The document needs no database: it is read once, when the tests are collected.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
# A schema-valid request may still break a rule (no such provider, not enough money): that is a
# 400 with a code. What it must never get is a 422, the answer to a request of the wrong shape.
schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
    expected_statuses=["2xx", "3xx", "400", "401", "403", "404", "409", "429"]
)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=EXAMPLES,
    deterministic=True,
)


# What a worker's phone calls; a worker's token on the requester's operations is refused the
# same way on each (403), which the requester's run already covers in its error responses.
WORKER_PATHS = (
    r"^/api/(work/|money/(balance|payout|statement)|quality/(me/|decisions/)"
    r"|interfaces|rejection-reasons)"
)
requester_api = schema
worker_api = schema.include(path_regex=WORKER_PATHS)

HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def call(case, token):
    # A real client unpacks gzip; the WSGI test transport does not, so ask for plain bodies.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
    )


@requester_api.parametrize()
@HYPOTHESIS
def test_the_api_answers_a_requester_as_its_document_says(case, live_project, rita_token):
    call(case, rita_token)


@worker_api.parametrize()
@HYPOTHESIS
def test_the_api_answers_a_worker_as_its_document_says(case, live_project, walt_token):
    call(case, walt_token)
