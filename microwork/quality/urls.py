from django.urls import path

from microwork.quality import block_views, views

app_name = "quality"
urlpatterns = [
    path("", views.standing, name="standing"),
    path("rules/", views.rules_doc, name="rules_doc"),
    path("decisions/<int:decision_id>/", views.decision_detail, name="decision"),
    path("decisions/<int:decision_id>/appeal/", views.appeal_create, name="appeal_create"),
    path("tests/<int:test_id>/", views.test_intro, name="test"),
    path("tests/<int:test_id>/start/", views.test_start, name="test_start"),
    path("attempts/<int:attempt_id>/", views.attempt_page, name="attempt"),
    path("attempts/<int:attempt_id>/result/", views.attempt_result, name="attempt_result"),
    path("projects/<int:project_id>/", views.project_quality, name="project"),
    path("projects/<int:project_id>/rules/", views.rule_save, name="rule_save"),
    path(
        "projects/<int:project_id>/approval-rules/",
        views.approval_rule_save,
        name="approval_rule_save",
    ),
    path("projects/<int:project_id>/settings/", views.settings_save, name="settings_save"),
    path("projects/<int:project_id>/tests/", views.test_create, name="test_create"),
    path("projects/<int:project_id>/requirements/", views.requirement_add, name="requirement_add"),
    path(
        "projects/<int:project_id>/requirements/<int:requirement_id>/remove/",
        views.requirement_remove,
        name="requirement_remove",
    ),
    path("projects/<int:project_id>/grants/", views.grant_add, name="grant_add"),
    path(
        "projects/<int:project_id>/qualifications/",
        views.qualification_add,
        name="qualification_add",
    ),
    path("blocks/", block_views.blocks, name="blocks"),
    path("blocks/<int:decision_id>/lift/", block_views.block_lift, name="block_lift"),
    path("appeals/<int:appeal_id>/decide/", views.appeal_decide, name="appeal_decide"),
    path("operator/", views.operator_page, name="operator"),
    path("operator/suspend/", views.operator_suspend, name="operator_suspend"),
    path("operator/lift/<int:decision_id>/", views.operator_lift, name="operator_lift"),
]
