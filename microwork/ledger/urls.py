from django.urls import path

from microwork.ledger import views

app_name = "ledger"
urlpatterns = [
    path("payouts/", views.payouts, name="payouts"),
    path("payouts/request/", views.payout_request, name="payout_request"),
    path("payouts/methods/", views.payout_method_add, name="payout_method_add"),
    path(
        "payouts/methods/<int:method_id>/remove/",
        views.payout_method_remove,
        name="payout_method_remove",
    ),
    path("statement.csv", views.worker_statement, name="worker_statement"),
    path("operator/payouts/", views.operator_payouts, name="operator_payouts"),
    path(
        "operator/payouts/<int:payout_id>/",
        views.operator_payout_finish,
        name="operator_payout_finish",
    ),
    path("operator/deposits/", views.operator_deposit, name="operator_deposit"),
]
