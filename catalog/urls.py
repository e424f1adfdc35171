from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.category_index, name="index"),
    path("categories/<str:code>/", views.category_detail, name="category-detail"),
    path("products/", views.product_list, name="product-list"),
    path("products/<int:pk>/", views.product_detail, name="product-detail"),
]
