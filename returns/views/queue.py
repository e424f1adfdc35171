"""queue views."""

urlpatterns: list = []
