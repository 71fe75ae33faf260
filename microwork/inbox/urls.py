from django.urls import path

from microwork.inbox import views

app_name = "inbox"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.inbox_read, name="read"),
    path("mail/", views.mail_settings, name="mail"),
]
