from django.urls import path

from microwork.payments import views

app_name = "payments"
urlpatterns = [
    path("earnings/", views.worker_dashboard, name="worker"),
    path("billing/", views.requester_billing, name="billing"),
    path("billing/deposit/", views.deposit, name="deposit"),
    path("billing/statement.csv", views.requester_statement, name="requester_statement"),
    path("billing/projects/<int:project_id>/review/", views.project_review, name="review"),
    path("billing/projects/<int:project_id>/go-live/", views.go_live, name="go_live"),
]
