"""PortalTable: the one base of every list in the portal (template, CSS, export)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .formatting import format_money, format_percent


class MoneyColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "num"}, "th": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return format_money(value)

    def value(self, value):  # exports get the plain number
        return value


class PercentColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "num"}, "th": {"class": "num"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return format_percent(value)

    def value(self, value):
        return value


class NumberColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "num"}, "th": {"class": "num"}})
        super().__init__(*args, **kwargs)


class PortalTable(tables.Table):
    export_formats = ("csv", "xlsx")
    empty_text = _("Nothing here yet.")

    class Meta:
        template_name = "core/table.html"
        attrs = {"class": "table"}
        per_page = 50
