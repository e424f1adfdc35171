"""Display of key figures by unit, in the user's language: 1.234,56 € · 38,5 % · 4,21 · +1,2 Pp."""

from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from shopmgr.core.formatting import format_money, format_percent

from .. import registry

register = template.Library()


def _german() -> bool:
    return (get_language() or "de").startswith("de")


def _number(value, places: int) -> str:
    return formats.number_format(Decimal(value), places, use_l10n=True, force_grouping=True)


@register.filter
def kpi_value(value, unit: str) -> str:
    """A KPI's value as people read it: money with €, rates as percent, '–' when undefined."""
    if value is None or value == "":
        return "–"
    if unit == registry.MONEY:
        return format_money(value)
    if unit == registry.RATE:
        return format_percent(value)
    if unit == registry.COUNT:
        return _number(value, 0)
    if unit == registry.DAYS:
        return f"{_number(value, 1)} {gettext('days')}"
    if unit == registry.RATING:
        return f"{_number(value, 2)} / 5"
    return str(value)


def format_change(kind: str, value) -> str:
    """+12,3 % (percent), +1,2 Pp. (percentage points), +0,12 (in the figure's own unit)."""
    if value is None:
        return "–"
    sign = "+" if value > 0 else ""
    if kind == "points":
        suffix = " Pp." if _german() else " pp"
        return f"{sign}{_number(value, 1)}{suffix}"
    if kind == "absolute":
        return f"{sign}{_number(value, 2)}"
    suffix = " %" if _german() else "%"
    return f"{sign}{_number(value, 1)}{suffix}"


CHANGE_TITLES = {
    "points": _("change in percentage points"),
    "percent": _("change in percent"),
    "absolute": _("change"),
}


@register.simple_tag
def kpi_change(change, label, unit):
    """A coloured change badge with an arrow; the comparison period's value in its tooltip."""
    base = kpi_value(change.base, unit)
    if change.value is None:
        return format_html(
            '<span class="delta neutral" title="{}: {} ({})">{} –</span>',
            label, base, gettext("no comparison possible"), label,
        )
    arrow = "▲" if change.value > 0 else "▼" if change.value < 0 else "■"
    return format_html(
        '<span class="delta {}" title="{}: {} ({})">{} <span class="arrow" aria-hidden="true">{}</span> {}</span>',
        change.tone, label, base, CHANGE_TITLES[change.kind], label, arrow,
        format_change(change.kind, change.value),
    )


@register.filter
def day_label(value) -> str:
    """A date for people: 01.11.2026 in German, 1 Nov 2026 in English (never the US order)."""
    if not value:
        return ""
    if _german():
        return value.strftime("%d.%m.%Y")
    return formats.date_format(value, "j M Y")


@register.filter
def month_label(value) -> str:
    if not value:
        return ""
    return formats.date_format(value, "F Y")


@register.filter
def progress_percent(value) -> str:
    """A progress ratio (0.82) as a whole percentage for a bar width, capped at 100."""
    if value is None:
        return "0"
    return str(max(0, min(100, int(Decimal(value) * 100))))


@register.filter
def percent0(value) -> str:
    return format_percent(value, 0)


UNIT_LABELS = {
    registry.COUNT: _("number"),
    registry.MONEY: _("euros"),
    registry.RATE: _("percent"),
    registry.DAYS: _("days"),
    registry.RATING: _("stars (1–5)"),
}


@register.filter
def unit_label(unit: str) -> str:
    return str(UNIT_LABELS.get(unit, unit))


@register.filter
def figure_row(table, record):
    """The cells of one row of a figures table (see CategoryFiguresTable.row_html)."""
    return table.row_html(record)
