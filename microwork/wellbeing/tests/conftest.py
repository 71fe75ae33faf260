import pytest

from microwork.wellbeing.services import wellbeing_update
from microwork.work.tests.factories import add_tasks, live_project


def disturbing_project(owner, *, tasks: int = 6, categories=("violence",), **fields):
    """A live image-moderation project that declares disturbing content, its tasks pictures."""
    project = live_project(
        owner,
        name=fields.pop("name", "Gory or not"),
        disturbing_content=list(categories),
        **fields,
    )
    for task in add_tasks(project, tasks):
        task.data = {"image_url": f"https://img.example/{task.pk}.jpg"}
        task.save(update_fields=["data"])
    return project


@pytest.fixture
def gory(rita):
    # Rita's live moderation project: its pictures show violence.
    return disturbing_project(rita)


@pytest.fixture
def walt_sees_violence(walt):
    # Walt agreed to see violence, with the platform's daily limit.
    return wellbeing_update(worker=walt, categories=["violence"], daily_cap=None)
