from django.urls import path

from microwork.work import views

app_name = "work"
urlpatterns = [
    path("", views.work_home, name="home"),
    path("history/", views.history, name="history"),
    path("fair/", views.fair_sharing, name="fair"),
    path("p/<int:project_id>/", views.preview, name="preview"),
    path("p/<int:project_id>/start/", views.project_start, name="start"),
    path("p/<int:project_id>/notify/", views.project_notify, name="notify"),
    path("p/<int:project_id>/wait/", views.waiting, name="waiting"),
    path("p/<int:project_id>/leave/", views.leave, name="leave"),
    path("a/<int:assignment_id>/", views.task, name="task"),
    path("a/<int:assignment_id>/skip/", views.skip, name="skip"),
    path("a/<int:assignment_id>/return/", views.give_back, name="return"),
]
