from django.urls import path

from microwork.projects import preview, views

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("preview/", views.instructions_preview, name="preview"),
    path("<int:project_id>/", views.project_detail, name="detail"),
    path("<int:project_id>/edit/", views.project_edit, name="edit"),
    path("<int:project_id>/preview/", preview.task_preview, name="task_preview"),
    path("<int:project_id>/clone/", views.project_clone, name="clone"),
    path("<int:project_id>/status/", views.project_status, name="status"),
    path("<int:project_id>/upload/", views.project_upload, name="upload"),
    path("batches/<int:batch_id>/progress/", views.batch_progress, name="batch_progress"),
]
