"""Tables of collections, on the portal's one table base."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from shopmgr.core.tables import MoneyColumn, NumberColumn, PortalTable

from .labels import reason_label


def _customer_link(record_customer):
    return format_html(
        '<a href="{}">{}</a>', reverse("receivables:customer", args=[record_customer.external_id]), record_customer,
    )


class OpenItemTable(PortalTable):
    number = tables.Column(verbose_name=_("Invoice"))
    customer = tables.Column(accessor="order__customer", verbose_name=_("Customer"), order_by="order__customer__external_id")
    kind = tables.Column(accessor="order__customer__kind", verbose_name=_("B2B/B2C"), orderable=False)
    issued_on = tables.DateColumn(verbose_name=_("Issued"), format="Y-m-d")
    due_on = tables.DateColumn(verbose_name=_("Due"), format="Y-m-d")
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

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def render_customer(self, value):
        return _customer_link(value)

    def render_kind(self, record):
        return record.order.customer.get_kind_display()

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
    as_of = tables.DateColumn(verbose_name=_("As of"), format="Y-m-d")
    status = tables.Column(verbose_name=_("Status"))
    trigger = tables.Column(verbose_name=_("Started by"))
    created_at = tables.DateTimeColumn(verbose_name=_("Proposed at"), format="Y-m-d H:i")
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
        return f"{record.approved_by or '–'}, {record.approved_at:%Y-%m-%d %H:%M}"


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
    due_on = tables.DateColumn(verbose_name=_("Due"), format="Y-m-d")
    amount = MoneyColumn(verbose_name=_("Amount"))
    open_amount = MoneyColumn(verbose_name=_("Open"), orderable=False)

    class Meta(PortalTable.Meta):
        fields = []
        sequence = ["pick", "number", "customer", "due_on", "amount", "open_amount"]
        per_page = 200

    def render_customer(self, value):
        return _customer_link(value)
