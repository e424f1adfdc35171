from django.urls import path

from . import views

app_name = "pricing"

urlpatterns = [
    path("", views.index, name="index"),
    path("suggestions/propose/", views.propose_selected, name="propose-selected"),
    path("suggestions/<int:pk>/", views.suggestion_detail, name="suggestion"),
    path("products/<str:key>/", views.product_prices, name="product"),
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/<int:pk>/approve/", views.proposal_approve, name="proposal-approve"),
    path("proposals/<int:pk>/reject/", views.proposal_reject, name="proposal-reject"),
    path("market/", views.market, name="market"),
    path("export.csv", views.export_prices, name="export"),
]
