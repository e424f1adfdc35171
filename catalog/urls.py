from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.category_index, name="index"),
    path("categories/<str:code>/", views.category_detail, name="category-detail"),
    path("categories/<str:code>/rules/", views.category_rules, name="category-rules"),
    path("categories/<str:code>/managers/", views.category_managers, name="category-managers"),
    path("products/", views.product_list, name="product-list"),
    path("products/<int:pk>/", views.product_detail, name="product-detail"),
    path("matrix/", views.matrix, name="matrix"),
    path("content/", views.content, name="content"),
    path("delist-candidates/", views.delist_candidates, name="delist-candidates"),
    path("decisions/", views.decisions, name="decisions"),
    path("decisions/propose/", views.propose, name="propose"),
    path("decisions/decide/", views.decide, name="decide"),
]
