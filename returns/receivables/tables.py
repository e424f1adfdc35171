"""Tables of collections, on the portal's one table base."""

import functools
from urllib.parse import quote

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from sales.models import Customer
from shopmgr.core.formatting import format_money
from shopmgr.core.tables import MoneyColumn, NumberColumn, PortalTable

from .labels import reason_label


class DayColumn(tables.Column):
    """A date as the locale writes it, without DateColumn's template per cell (50 rows: ~40 ms)."""

    def render(self, value):
        return date_format(value, "SHORT_DATE_FORMAT")

    def value(self, value):
        return value.isoformat()


class MomentColumn(tables.Column):
    def render(self, value):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")

    def value(self, value):
        return value.isoformat()


@functools.cache
def _customer_url_pattern() -> str:
    return reverse("receivables:customer", args=["__customer__"])


def _customer_link(customer):
    """One reverse() per process, not per row (it was the dearest part of a 50-row page)."""
    url = _customer_url_pattern().replace("__customer__", quote(customer.external_id, safe=""))
    return format_html('<a href="{}">{} {}</a>', url, customer.external_id, customer.name)


class OpenItemTable(PortalTable):
    number = tables.Column(verbose_name=_("Invoice"))
    customer = tables.Column(accessor="order__customer", verbose_name=_("Customer"), order_by="order__customer__external_id")
    kind = tables.Column(accessor="order__customer__kind", verbose_name=_("B2B/B2C"), orderable=False)
    issued_on = DayColumn(verbose_name=_("Issued"))
    due_on = DayColumn(verbose_name=_("Due"))
    days_overdue = NumberColumn(empty_values=(), verbose_name=_("Days overdue"), order_by="due_on")
    amount = MoneyColumn(verbose_name=_("Amount"))
    open_amount = MoneyColumn(verbose_name=_("Open"), orderable=False)
    current_level = tables.Column(verbose_name=_("Level"), default="–", orderable=False)
    blocked = tables.Column(empty_values=(), verbose_name=_("Blocked"), orderable=False)

    class Meta(PortalTable.Meta):
        fields = []
        sequence = ["number", "customer", "kind", "issued_on", "due_on", "days_overdue", "amount", "open_amount",
                    "current_level", "blocked"]
        row_attrs = {"data-testid": lambda record: f"item-{record.number}"}
        template_name = "receivables/_open_items_table.html"

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def render_customer(self, value):
        return _customer_link(value)

    def body_html(self) -> str:
        """The rows of the page as django-tables2's table template draws them, in Python.

        The template's loop cost a template lookup chain per cell (and the column's attributes
        computed once per cell): ~25 ms for a page of 25 rows, more than the query of any filter.
        The cells are the columns' own renders; none of the columns' attributes depend on the row,
        so each `td` is drawn once per table. tests/receivables pins the markup to the template's.
        """
        columns = list(self.columns)
        self._kinds = {kind: conditional_escape(label) for kind, label in Customer.Kind.choices}
        self._days = {}
        cells = [(f"<td {bound.attrs['td'].as_html()}>", getattr(self, f"_cell_{bound.name}")) for bound in columns]
        rows = []
        for row in self.paginated_rows:
            record = row.record
            tds = "".join(f"{td}{cell(record)}</td>" for td, cell in cells)
            # the Meta.row_attrs and django-tables2's even/odd class, in its order
            parity = "odd" if row.row_counter % 2 else "even"
            rows.append(f'<tr data-testid="item-{conditional_escape(record.number)}" class="{parity}">{tds}</tr>')
        if not rows and self.empty_text:
            return format_html('<tr><td colspan="{}">{}</td></tr>', len(columns), self.empty_text)
        return mark_safe("\n".join(rows))  # every cell went through conditional_escape

    # One function per column: its cell's content as escaped HTML, the same as `{{ cell }}` of the
    # render (or the column's default for an empty value).
    def _cell_number(self, record):
        return conditional_escape(record.number)

    def _cell_customer(self, record):
        return _customer_link(record.order.customer)

    def _cell_kind(self, record):
        return self._kinds[record.order.customer.kind]

    def _day(self, day):
        try:
            return self._days[day]
        except KeyError:
            shown = self._days[day] = conditional_escape(date_format(day, "SHORT_DATE_FORMAT"))
            return shown

    def _cell_issued_on(self, record):
        return self._day(record.issued_on)

    def _cell_due_on(self, record):
        return self._day(record.due_on)

    def _cell_days_overdue(self, record):
        return conditional_escape(localize(self.render_days_overdue(record)))

    def _cell_amount(self, record):
        return conditional_escape(format_money(record.amount))

    def _cell_open_amount(self, record):
        return conditional_escape(format_money(record.open_amount))

    def _cell_current_level(self, record):
        level = record.current_level
        return conditional_escape("–" if level is None else localize(level))

    def _cell_blocked(self, record):
        return conditional_escape(self.render_blocked(record))

    def render_days_overdue(self, record):
        return max((self.today - record.due_on).days, 0)

    def value_days_overdue(self, record):
        return max((self.today - record.due_on).days, 0)

    def render_blocked(self, record):
        reasons = []
        if record.disputed:
            reasons.append(str(reason_label("dispute")))
        if record.open_return:
            reasons.append(str(reason_label("open_return")))
        if record.is_handed_over:
            reasons.append(str(_("handed over")))
        return ", ".join(reasons) or "–"

    value_blocked = render_blocked


class RunTable(PortalTable):
    id = tables.Column(verbose_name=_("Run"), linkify=("receivables:run", {"pk": tables.A("pk")}))
    as_of = DayColumn(verbose_name=_("As of"))
    status = tables.Column(verbose_name=_("Status"))
    trigger = tables.Column(verbose_name=_("Started by"))
    created_at = MomentColumn(verbose_name=_("Proposed at"))
    to_send = NumberColumn(verbose_name=_("Notices proposed"))
    notice_count = NumberColumn(verbose_name=_("Notices created"))
    approved = tables.Column(empty_values=(), verbose_name=_("Approved"), orderable=False)

    class Meta(PortalTable.Meta):
        fields = []
        sequence = ["id", "as_of", "status", "trigger", "created_at", "to_send", "notice_count", "approved"]
        per_page = 25

    def render_approved(self, record):
        if not record.approved_at:
            return "–"
        moment = date_format(timezone.localtime(record.approved_at), "SHORT_DATETIME_FORMAT")
        return f"{record.approved_by or '–'}, {moment}"


class RunLineTable(PortalTable):
    invoice = tables.Column(accessor="invoice__number", verbose_name=_("Invoice"), order_by="invoice__number")
    customer = tables.Column(accessor="invoice__order__customer", verbose_name=_("Customer"),
                             order_by="invoice__order__customer__external_id")
    level = tables.Column(verbose_name=_("Level"), default="–", order_by="level__number")
    days_overdue = NumberColumn(verbose_name=_("Days overdue"))
    open_amount = MoneyColumn(verbose_name=_("Open"))
    fee = MoneyColumn(verbose_name=_("Fees"))
    interest = MoneyColumn(verbose_name=_("Interest"))
    total = MoneyColumn(verbose_name=_("Total"))
    blocked_reason = tables.Column(verbose_name=_("Why no notice"), default="")
    action = tables.TemplateColumn(template_name="receivables/_line_action.html", verbose_name="", orderable=False,
                                   exclude_from_export=True)

    class Meta(PortalTable.Meta):
        fields = []
        sequence = ["invoice", "customer", "level", "days_overdue", "open_amount", "fee", "interest", "total",
                    "blocked_reason", "action"]
        row_attrs = {
            "data-testid": lambda record: f"line-{record.invoice.number}",
            "class": lambda record: "excluded" if record.excluded else "",
        }

    def render_customer(self, value):
        return _customer_link(value)

    def render_level(self, value):
        return str(value)

    def render_blocked_reason(self, value):
        return reason_label(value)

    def value_blocked_reason(self, value):
        return value


class HandoverTable(PortalTable):
    pick = tables.TemplateColumn(
        '<input type="checkbox" name="invoice" value="{{ record.pk }}" checked aria-label="{{ record.number }}">',
        verbose_name="", orderable=False, exclude_from_export=True,
    )
    number = tables.Column(verbose_name=_("Invoice"))
    customer = tables.Column(accessor="order__customer", verbose_name=_("Customer"), orderable=False)
    due_on = DayColumn(verbose_name=_("Due"))
    amount = MoneyColumn(verbose_name=_("Amount"))
    open_amount = MoneyColumn(verbose_name=_("Open"), orderable=False)

    class Meta(PortalTable.Meta):
        fields = []
        sequence = ["pick", "number", "customer", "due_on", "amount", "open_amount"]
        per_page = 200

    def render_customer(self, value):
        return _customer_link(value)
