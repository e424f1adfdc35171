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
from django_tables2.rows import BoundRows

from shopmgr.core.dates import berlin_today

from .. import selectors
from ..tables import ReturnTable

PER_PAGE = 50
# A list counts at most this many returns (20 pages): counting all 400,000 returns of a big shop
# costs more than the rest of the page, and nobody pages that far; filters narrow the list.
COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP rows (`capped` says there are more); pages beyond are not offered.

    The count reads the keys of the first COUNT_CAP + 1 rows in the list's order (what counting
    them costs), and a page is then the rows of its keys: the filters and the user's scope are
    walked once per request, not once to count and again to fetch a page at its offset.
    """

    cap = COUNT_CAP

    @cached_property
    def capped(self) -> bool:
        return len(self._keys) > self.cap

    @cached_property
    def _queryset(self):
        # django-tables2 hands over its rows; the queryset (filtered and sorted) sits inside them
        return self.object_list.data.data

    @cached_property
    def _keys(self) -> list[int]:
        return list(self._queryset.values_list("pk", flat=True)[: self.cap + 1])

    @cached_property
    def count(self) -> int:
        return min(len(self._keys), self.cap)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = self._keys[bottom:top]
        # the same queryset (scope, filters, joins, prefetches) for just these keys, in their order
        found = {row.pk: row for row in self._queryset.filter(pk__in=keys)} if keys else {}
        rows = BoundRows(data=[found[pk] for pk in keys if pk in found], table=self.object_list.table)
        return self._get_page(rows, number, self)


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
