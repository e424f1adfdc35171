"""/receivables/: open items, payments, dunning runs, letters and the collection hand-over."""

from django.urls import path

from . import views

app_name = "receivables"

urlpatterns = [
    path("", views.index, name="index"),
    path("payments/new/", views.payment_new, name="payment-new"),
    path("runs/", views.runs, name="runs"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/csv/", views.run_csv, name="run-csv"),
    path("runs/<int:pk>/approve/", views.run_approve, name="run-approve"),
    path("runs/lines/<int:pk>/exclude/", views.run_line_exclude, name="line-exclude"),
    path("notices/<int:pk>/letter/", views.notice_letter, name="letter"),
    path("customers/<str:external_id>/", views.customer, name="customer"),
    path("invoices/<int:pk>/dispute/", views.dispute_set, name="dispute-set"),
    path("disputes/<int:pk>/lift/", views.dispute_lift, name="dispute-lift"),
    path("handover/", views.handover, name="handover"),
    path("handover/<int:pk>/", views.handover_detail, name="handover-detail"),
]
