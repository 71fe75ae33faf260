from django.urls import path

from microwork.privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.my_data, name="home"),
    path("p/<int:project_id>/", views.consent, name="consent"),
    path("p/<int:project_id>/withdraw/", views.withdraw, name="withdraw"),
    path("download/", views.download, name="download"),
    path("delete/", views.delete_account, name="delete_account"),
]
