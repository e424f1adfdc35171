"""desk views."""

urlpatterns: list = []
