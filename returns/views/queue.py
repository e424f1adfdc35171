"""The returns list (/returns/list/) and the inspection queue (/returns/list/queue/).

Customer service and shop managers see every return, category managers those of their
categories' products (returns/selectors.py); everyone else gets 403.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import path
from django.utils.functional import cached_property
from django_tables2 import RequestConfig
from django_tables2.export import TableExport

from shopmgr.core.dates import berlin_today

from .. import selectors
from ..tables import ReturnTable

PER_PAGE = 50
# A list counts at most this many returns (20 pages): counting all 400,000 returns of a big shop
# costs more than the rest of the page, and nobody pages that far; filters narrow the list.
COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP rows (`capped` says there are more); pages beyond are not offered."""

    cap = COUNT_CAP

    @cached_property
    def capped(self) -> bool:
        return self._counted > self.cap

    @cached_property
    def _counted(self) -> int:
        # django-tables2 hands over its rows; the queryset (filtered and sorted) sits inside them
        queryset = self.object_list.data.data
        return queryset[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)


def forbidden(request):
    return render(request, "returns/analytics_forbidden.html", {"for_list": True}, status=403)


def _list_page(request, *, queue: bool):
    user = request.user
    if not selectors.may_see_returns(user):
        return forbidden(request)
    today = berlin_today()
    returns_filter = selectors.return_list(user=user, params=request.GET or None, queue=queue, today=today)
    table = ReturnTable(returns_filter.qs, today=today, exclude=() if queue else ("waiting",))
    RequestConfig(request, paginate={"per_page": PER_PAGE, "paginator_class": CappedPaginator}).configure(table)
    export_format = request.GET.get("_export")
    if TableExport.is_valid_format(export_format):
        name = "returns-inspection-queue" if queue else "returns"
        return TableExport(export_format, table).response(f"{name}-{today}.{export_format}")
    return render(request, "returns/list.html", {
        "filter": returns_filter,
        "table": table,
        "queue": queue,
        "queue_days": selectors.inspection_queue_days(),
        "queue_count": selectors.inspection_queue_count(user=user, today=today),
        "sees_all": selectors.sees_all_returns(user),
        "count_cap": COUNT_CAP,
    })


def return_list(request):
    return _list_page(request, queue=False)


def inspection_queue(request):
    return _list_page(request, queue=True)


urlpatterns = [
    path("list/", return_list, name="list"),
    path("list/queue/", inspection_queue, name="queue"),
]
