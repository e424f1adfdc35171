"""Tables of the returns list and the return analytics (all on PortalTable: template, CSS, export)."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import NoReverseMatch, reverse
from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from shopmgr.core.dates import berlin_day, berlin_today
from shopmgr.core.tables import MoneyColumn, NumberColumn, PercentColumn, PortalTable

from .models import Return
from .selectors import reason_label

SKUS_SHOWN = 3


def return_detail_url(pk: int) -> str:
    """The return's page on the desk (`returns:detail`)."""
    try:
        return reverse("returns:detail", args=[pk])
    except NoReverseMatch:  # the desk's URLs not (yet) installed
        return f"/returns/{pk}/"


def _day(value) -> str:
    return formats.date_format(berlin_day(value), "SHORT_DATE_FORMAT") if value else "–"


def _days_since(moment, today) -> int | None:
    return (today - berlin_day(moment)).days if moment else None


class DayColumn(tables.Column):
    """A timestamp shown as its Berlin day (exports: ISO date)."""

    def render(self, value):
        return _day(value)

    def value(self, value):
        return berlin_day(value).isoformat() if value else ""


class ReturnTable(PortalTable):
    """Returns with the lines the user may see (`visible_lines`, prefetched by the selector)."""

    external_id = tables.Column(verbose_name=_("Return no."), linkify=lambda record: return_detail_url(record.pk))
    order = tables.Column(accessor="order__external_id", verbose_name=_("Order"), order_by="order__external_id")
    customer = tables.Column(accessor="order__customer__name", verbose_name=_("Customer"), orderable=False)
    status = tables.Column(verbose_name=_("Status"))
    legal_basis = tables.Column(verbose_name=_("Legal basis"))
    requested_at = DayColumn(verbose_name=_("Opened"))
    received_at = DayColumn(verbose_name=_("Received"))
    age = tables.Column(
        verbose_name=_("Age (days)"), empty_values=(), order_by=("-requested_at", "-pk"),
        attrs={"td": {"class": "num"}, "th": {"class": "num"}},
    )
    waiting = tables.Column(
        verbose_name=_("Waiting (days)"), empty_values=(), order_by=("-received_at", "-pk"),
        attrs={"td": {"class": "num"}, "th": {"class": "num"}},
    )
    units = tables.Column(verbose_name=_("Units"), empty_values=(), orderable=False,
                          attrs={"td": {"class": "num"}, "th": {"class": "num"}})
    reasons = tables.Column(verbose_name=_("Reasons"), empty_values=(), orderable=False)
    products = tables.Column(verbose_name=_("Products"), empty_values=(), orderable=False)

    class Meta(PortalTable.Meta):
        model = Return
        fields = ["external_id", "order", "customer", "status", "legal_basis", "requested_at", "received_at", "age",
                  "waiting", "units", "reasons", "products"]
        empty_text = _("No returns match.")
        attrs = {"class": "table", "data-testid": "return-table"}

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or berlin_today()

    def render_status(self, record, value):
        return format_html('<span class="status status-{}">{}</span>', record.status, value)

    def _age(self, record):
        return _days_since(record.requested_at or record.received_at, self.today)

    def render_age(self, record):
        return self._age(record)

    def value_age(self, record):
        return self._age(record)

    def render_waiting(self, record):
        return _days_since(record.received_at, self.today) if record.status == Return.Status.RECEIVED else "–"

    def value_waiting(self, record):
        return _days_since(record.received_at, self.today) if record.status == Return.Status.RECEIVED else ""

    def render_units(self, record):
        return sum(line.quantity for line in record.visible_lines)

    def value_units(self, record):
        return self.render_units(record)

    def _reasons(self, record) -> list[str]:
        seen: dict[str, str] = {}
        for line in record.visible_lines:
            seen.setdefault(line.reason.code, reason_label(line.reason))
        return list(seen.values())

    def render_reasons(self, record):
        return ", ".join(self._reasons(record)) or "–"

    def value_reasons(self, record):
        return ", ".join(self._reasons(record))

    def _skus(self, record) -> list[str]:
        return list(dict.fromkeys(line.order_line.product.sku for line in record.visible_lines))

    def render_products(self, record):
        skus = self._skus(record)
        shown = format_html_join(", ", "<span class=\"nowrap\">{}</span>", ((sku,) for sku in skus[:SKUS_SHOWN]))
        if len(skus) > SKUS_SHOWN:
            return format_html("{} {}", shown, _("and %(n)d more") % {"n": len(skus) - SKUS_SHOWN})
        return shown or "–"

    def value_products(self, record):
        return ", ".join(self._skus(record))
