"""The review actions' addresses. They keep the paths they had under money/ and quality/, so
bookmarks, open tabs and scripts that post to them still work."""

from django.urls import path

from microwork.review import views

app_name = "review"
urlpatterns = [
    path(
        "money/billing/projects/<int:project_id>/review/act/",
        views.project_review_act,
        name="act",
    ),
    path("quality/submissions/<int:submission_id>/reject/", views.submission_reject, name="reject"),
    path("quality/projects/<int:project_id>/reject/", views.submissions_reject, name="reject_many"),
    path("projects/<int:project_id>/review/", views.answers_page, name="page"),
    path(
        "projects/<int:project_id>/review/approving/",
        views.approve_progress,
        name="approve_progress",
    ),
    path("projects/<int:project_id>/dashboard/", views.dashboard, name="dashboard"),
    path("projects/<int:project_id>/peer-reviews/", views.peer_reviews, name="peer_reviews"),
    path(
        "projects/<int:project_id>/peer-reviews.csv",
        views.peer_reviews_csv,
        name="peer_reviews_csv",
    ),
]
