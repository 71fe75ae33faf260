from django.urls import path

from microwork.work import views

app_name = "work"
urlpatterns = [
    path("", views.work_home, name="home"),
    path("history/", views.history, name="history"),
]
