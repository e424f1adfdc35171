"""The returns list (/returns/list/) and the inspection queue (/returns/list/queue/).

Customer service and shop managers see every return, category managers those of their
categories' products (returns/selectors.py); everyone else gets 403.
"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path
from django_tables2 import RequestConfig
from django_tables2.export import TableExport

from shopmgr.core.dates import berlin_today

from .. import selectors
from ..tables import ReturnTable

PER_PAGE = 50


def forbidden(request):
    return render(request, "returns/analytics_forbidden.html", {"for_list": True}, status=403)


def _list_page(request, *, queue: bool):
    user = request.user
    if not selectors.may_see_returns(user):
        return forbidden(request)
    today = berlin_today()
    returns_filter = selectors.return_list(user=user, params=request.GET or None, queue=queue, today=today)
    table = ReturnTable(returns_filter.qs, today=today, exclude=() if queue else ("waiting",))
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
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
    })


def return_list(request):
    return _list_page(request, queue=False)


def inspection_queue(request):
    return _list_page(request, queue=True)


urlpatterns = [
    path("list/", return_list, name="list"),
    path("list/queue/", inspection_queue, name="queue"),
]
