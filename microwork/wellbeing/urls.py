from django.urls import path

from microwork.wellbeing import views

app_name = "wellbeing"
urlpatterns = [
    path("", views.wellbeing_settings, name="settings"),
    path("break/", views.break_page, name="break"),
    path("break/<int:assignment_id>/", views.take_break, name="take_break"),
]
