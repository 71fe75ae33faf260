from django.urls import path

from microwork.projects import views

app_name = "projects"
urlpatterns = [path("", views.project_list, name="list")]
