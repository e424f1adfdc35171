"""analytics views."""

urlpatterns: list = []
