from django.urls import path

from microwork.mturk import views

app_name = "mturk"

urlpatterns = [
    # boto3 posts to the endpoint's path plus "/": both spellings are the endpoint.
    path("", views.endpoint, name="endpoint"),
    # An ExternalQuestion's page posts its form here (`turkSubmitTo` + "/mturk/externalSubmit").
    path("externalSubmit", views.external_submit, name="external_submit"),
    path("qualifications/", views.qualifications_page, name="qualifications"),
    path(
        "qualifications/<str:type_id>/request/",
        views.qualification_request,
        name="qualification_request",
    ),
    path("keys/", views.keys_page, name="keys"),
    path("keys/<int:key_id>/revoke/", views.key_revoke, name="key_revoke"),
]
