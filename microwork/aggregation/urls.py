from django.urls import path

from microwork.aggregation import views

app_name = "results"
urlpatterns = [
    path("<int:project_id>/results/", views.results_page, name="page"),
    path(
        "<int:project_id>/results/<str:kind>.<str:fmt>",
        views.results_download,
        name="download",
    ),
]
