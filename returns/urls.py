"""/returns/: the returns desk, its queue and the return analytics (each module owns its URLs)."""

from .views import analytics, desk, queue

app_name = "returns"

urlpatterns = [*desk.urlpatterns, *queue.urlpatterns, *analytics.urlpatterns]
