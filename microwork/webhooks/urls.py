from django.urls import path

from microwork.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.subscriptions, name="subscriptions"),
    path("<int:subscription_id>/", views.subscription, name="subscription"),
    path("<int:subscription_id>/edit/", views.subscription_edit, name="edit"),
    path("<int:subscription_id>/pause/", views.subscription_pause, name="pause"),
    path("<int:subscription_id>/rotate/", views.subscription_rotate, name="rotate"),
    path("<int:subscription_id>/test/", views.subscription_test, name="test"),
    path("<int:subscription_id>/delete/", views.subscription_remove, name="delete"),
]
