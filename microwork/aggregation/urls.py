from django.urls import path

from microwork.aggregation import views

app_name = "results"
urlpatterns = [
    path("<int:project_id>/results/", views.results_page, name="page"),
    path("<int:project_id>/results/settings/", views.results_configure, name="configure"),
    path("<int:project_id>/results/estimate/", views.results_reestimate, name="reestimate"),
    path("<int:project_id>/results/estimate/status/", views.results_run_status, name="run_status"),
    path(
        "<int:project_id>/results/<str:kind>.<str:fmt>",
        views.results_download,
        name="download",
    ),
]
