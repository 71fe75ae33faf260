from django.urls import path

from microwork.live import views

app_name = "live"
urlpatterns = [
    path("", views.home, name="home"),
    path("p/<int:project_id>/opt-in/", views.opt_in, name="opt_in"),
    path("p/<int:project_id>/available/", views.availability, name="availability"),
    path("offers/<int:offer_id>/accept/", views.accept, name="accept"),
    path("offers/<int:offer_id>/decline/", views.decline, name="decline"),
]
