from decimal import Decimal

import pytest

from microwork.accounts.access import access_organisation_for_requester
from microwork.projects.services.projects import project_create


@pytest.fixture
def acme(rita, omar):
    # Acme Labs, Rita's organisation, with money deposited so its projects can go live.
    from microwork.ledger.services.deposits import deposit_record

    organisation = access_organisation_for_requester(user=rita)
    deposit_record(
        organisation=organisation,
        amount="1000",
        currency="USD",
        reference="acme-test-deposit",
        actor=omar,
    )
    return organisation


@pytest.fixture
def project(rita, acme):
    # Rita's image-moderation project: single choice between "ok" and "gory".
    return project_create(
        organisation=acme,
        actor=rita,
        name="Image moderation",
        description="Is each image fine for a family site?",
        instructions="Choose *Gory* for blood.\n\n## Examples\n",
        interface="single_choice",
        config={"question": "Is this image acceptable?", "labels": ["ok|Acceptable", "gory|Gory"]},
        reward=Decimal("0.05"),
        estimated_seconds=20,
    )


@pytest.fixture
def relevance_project(rita, acme):
    # Rita's search-relevance project on a 0–3 scale.
    return project_create(
        organisation=acme,
        actor=rita,
        name="Search relevance",
        description="How well does the result answer the query?",
        interface="graded_relevance",
        config={"scale": ["Bad", "Fair", "Good", "Perfect"]},
        reward="0.02",
        estimated_seconds=15,
    )


@pytest.fixture
def multi_project(rita, acme):
    # Rita's multi-label project: tick every topic a text mentions.
    return project_create(
        organisation=acme,
        actor=rita,
        name="Topics",
        description="Tick every topic the text is about.",
        interface="multiple_choice",
        config={"question": "Topics?", "labels": ["sport", "politics", "music"]},
        reward="0.03",
        estimated_seconds=30,
    )
