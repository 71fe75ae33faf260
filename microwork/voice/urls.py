from django.urls import path

from microwork.voice import views

app_name = "voice"
urlpatterns = [
    path("requesters/<int:organisation_id>/", views.requester_record, name="requester"),
    path("ratings/", views.ratings, name="ratings"),
    path("ratings/<int:project_id>/", views.rate, name="rate"),
    path("feedback/", views.feedback, name="feedback"),
    path("feedback/summary/", views.feedback_summary, name="summary"),
]
