"""Before going live the requester sees what it costs (tasks × overlap × reward, the control
answers and the fee) against the funds, with a way to add funds; a project can be cloned with
its settings, control tasks, tests and rules; a task can be previewed as workers see it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from microwork.accounts.access import access_organisation_for_requester
from microwork.projects.models import Project, Task
from microwork.projects.services.cloning import project_clone
from microwork.projects.services.projects import project_create
from microwork.projects.tests.factories import upload
from microwork.quality.models import (
    ApprovalRuleConfig,
    ProjectRequirement,
    QualificationTest,
    QualitySettings,
    RuleConfig,
)


@pytest.fixture
def poor_project(rita):
    organisation = access_organisation_for_requester(user=rita)
    project = project_create(
        organisation=organisation,
        actor=rita,
        name="Fruit",
        description="Which fruit?",
        interface="single_choice",
        config={"question": "Which fruit?", "labels": ["apple|Apple", "pear|Pear"]},
        reward=Decimal("0.10"),
        estimated_seconds=20,
        overlap=3,
        gold_rate="0",
    )
    upload(project, rita, b"text\n" + b"".join(b"fruit %d\n" % i for i in range(10)))
    return project


def test_go_live_page_shows_the_cost_and_a_way_to_add_funds(client, rita, poor_project, settings):
    settings.SIMULATED_PAYMENTS = True
    client.force_login(rita)
    url = reverse("payments:go_live", args=[poor_project.pk])
    page = client.get(url).content.decode()
    # 10 tasks × 3 answers × 0.10 = 3.00, plus the 20 % fee 0.60: 3.60 to reserve.
    assert "3.00" in page and "0.60" in page
    assert 'id="cost-total">3.60 USD' in page
    assert 'id="shortfall"' in page and reverse("payments:billing") in page
    assert f'name="next" value="{url}"' in page

    # Adding funds from this page comes back to it, and the shortfall is gone.
    response = client.post(
        reverse("payments:deposit"),
        {
            "amount": "5",
            "currency": "USD",
            "provider": "simulated",
            "request_key": "k1",
            "next": url,
        },
    )
    assert response["Location"] == url
    page = client.get(url).content.decode()
    assert 'id="shortfall"' not in page and "Your funds cover it." in page
    response = client.post(reverse("projects:status", args=[poor_project.pk]), {"status": "live"})
    poor_project.refresh_from_db()
    assert poor_project.status == Project.Status.LIVE


def test_go_live_cost_counts_control_answers_and_fee(rita, poor_project):
    from microwork.payments.golive import go_live_cost
    from microwork.payments.services.escrow import escrow_needed

    poor_project.gold_rate = Decimal("0.25")
    poor_project.save(update_fields=["gold_rate"])
    cost = go_live_cost(project=poor_project)
    assert cost.tasks == 10 and cost.answers == 30 and cost.control_answers == 10
    assert cost.total == escrow_needed(poor_project, 10)
    assert cost.total == Decimal("0.10") * 40 + Decimal("0.02") * 40
    # No control task uploaded yet: the reservation is still made, and the page says why.
    assert cost.has_controls is False


def test_go_live_page_explains_control_answers_reserved_without_control_tasks(
    client, rita, poor_project
):
    poor_project.gold_rate = Decimal("0.25")
    poor_project.save(update_fields=["gold_rate"])
    client.force_login(rita)
    url = reverse("payments:go_live", args=[poor_project.pk])
    assert "no control task yet" in client.get(url).content.decode()
    upload(poor_project, rita, b"text,answer\nfruit gold,apple\n")
    assert poor_project.tasks.filter(is_gold=True).exists()
    assert "no control task yet" not in client.get(url).content.decode()


def test_clone_copies_settings_controls_tests_and_rules(client, rita, rob, project):
    from microwork.quality.services.configuration import (
        quality_settings_update,
        rule_configure,
    )
    from microwork.quality.services.exams import qualification_test_create

    upload(
        project,
        rita,
        b"text,gold_answer\nred blood,gory\nkitten,ok\nplain,\n",
    )
    rule_configure(project=project, rule_key="too_fast", params={}, action="warn", enabled=True)
    quality_settings_update(project=project, appeal_deadline_hours=24)
    test = qualification_test_create(
        project=project, name="Gore test", task_ids=[], all_gold=True, question_count=2
    )
    ProjectRequirement.objects.create(
        project=project,
        subject="qualification",
        qualification=test.qualification,
        comparator="exists",
        values=[],
    )

    client.force_login(rob)
    assert client.get(reverse("projects:clone", args=[project.pk])).status_code == 404
    client.force_login(rita)
    page = client.get(reverse("projects:clone", args=[project.pk])).content.decode()
    assert "Image moderation (copy)" in page
    response = client.post(reverse("projects:clone", args=[project.pk]), {"name": "Round two"})
    clone = Project.objects.get(name="Round two")
    assert response["Location"] == reverse("projects:detail", args=[clone.pk])

    assert clone.status == Project.Status.DRAFT and clone.organisation == project.organisation
    for name in (
        "interface",
        "config",
        "reward",
        "overlap",
        "instructions",
        "gold_rate",
        "estimated_seconds",
        "aggregation_method",
        "personal_data",
    ):
        assert getattr(clone, name) == getattr(project, name), name
    controls = Task.objects.filter(project=clone)
    assert sorted(controls.values_list("gold_answer", flat=True)) == ["gory", "ok"]
    assert not controls.filter(is_gold=False).exists()
    copied = QualificationTest.objects.get(project=clone)
    assert copied.qualification_id != test.qualification_id
    assert set(copied.tasks.values_list("project_id", flat=True)) == {clone.pk}
    assert copied.question_count == 2
    requirement = ProjectRequirement.objects.get(project=clone)
    assert requirement.qualification_id == copied.qualification_id
    assert RuleConfig.objects.filter(project=clone, rule_key="too_fast").exists()
    assert QualitySettings.objects.get(project=clone).appeal_deadline_hours == 24
    assert ApprovalRuleConfig.objects.filter(project=clone).count() == (
        ApprovalRuleConfig.objects.filter(project=project).count()
    )
    # The original keeps everything.
    assert Task.objects.filter(project=project).count() == 3


def test_clone_default_name_and_preview_as_workers_see_it(client, rita, project):
    clone = project_clone(project=project, actor=rita)
    assert clone.name == "Image moderation (copy)"
    upload(project, rita, b"text\nA red apple\n")
    client.force_login(rita)
    url = reverse("projects:task_preview", args=[project.pk])
    page = client.get(url).content.decode()
    assert "A red apple" in page and "Is this image acceptable?" in page
    assert 'name="label"' in page and "Acceptable" in page
    response = client.post(url, {"label": "gory"})
    assert "would see it accepted: Gory" in response.content.decode()
    response = client.post(url, {"label": "nonsense"})
    assert response.status_code == 400
    # A draft without tasks previews the kind's example.
    assert client.get(reverse("projects:task_preview", args=[clone.pk])).status_code == 200


def test_new_project_starts_from_a_template_of_the_chosen_kind(client, rita):
    from microwork.projects.interfaces import get_interface

    client.force_login(rita)
    page = client.get(reverse("projects:create") + "?template=multiple_choice").content.decode()
    assert "family website" not in page
    assert '<option value="multiple_choice" selected>' in page
    assert "## Examples" in page and str(get_interface("multiple_choice").title) in page
    for key in ("single_choice", "free_text", "bounding_boxes"):
        assert f'href="?template={key}"' in page


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_project_does_not_go_live_with_the_templates_placeholder_instructions(
    rita, omar, language
):
    from django.utils import translation

    from microwork.lib.errors import Conflict
    from microwork.projects.interfaces import get_interface
    from microwork.projects.services.projects import project_set_status, project_update
    from microwork.quality.tests.helpers import fund, make_project, make_tasks

    project = make_project(owner=rita, overlap=1, status="draft")
    with translation.override(language):
        starter = get_interface(project.interface).starter()["instructions"]
    project = project_update(project=project, actor=rita, changes={"instructions": starter})
    make_tasks(project, 2)
    fund(project, omar)
    with pytest.raises(Conflict) as refused:
        project_set_status(project=project, actor=rita, status="live")
    assert refused.value.field == "instructions"
    # Rewritten for workers, it goes live.
    written = "Say whether the picture shows a cat.\n\n## Examples\n\nA tabby: cat."
    project = project_update(project=project, actor=rita, changes={"instructions": written})
    assert project_set_status(project=project, actor=rita, status="live").status == "live"
