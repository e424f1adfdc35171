"""Display of key figures by unit, in the user's language: 1.234,56 € · 38,5 % · 4,21 · +1,2 Pp."""

import html
from decimal import Decimal

from django import template
from django.urls import reverse
from django.utils import formats
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from shopmgr.core.formatting import format_money, format_percent, is_german, number

from .. import registry

register = template.Library()


def html_text(value) -> str:
    """`conditional_escape` as a plain str, without its lazy-string wrapper (a few µs a call, and a
    page escapes some hundred values): the same characters are replaced."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _german() -> bool:
    return is_german(get_language())


def _number(value, places: int, lang: str | None = None) -> str:
    return number(value, places, lang)


@register.filter
def kpi_value(value, unit: str) -> str:
    """A KPI's value as people read it: money with €, rates as percent, '–' when undefined."""
    return format_kpi(value, unit)


def format_kpi(value, unit: str, lang: str | None = None) -> str:
    """`kpi_value` in the language `lang` (the active one when not given: pass it when at hand,
    looking it up costs more than formatting a number)."""
    if value is None or value == "":
        return "–"
    if lang is None:
        lang = get_language()
    if unit == registry.MONEY:
        return format_money(value, lang=lang)
    if unit == registry.RATE:
        return format_percent(value, lang=lang)
    if unit == registry.COUNT:
        return _number(value, 0, lang)
    if unit == registry.DAYS:
        return f"{_number(value, 1, lang)} {gettext('days')}"
    if unit == registry.RATING:
        return f"{_number(value, 2, lang)} / 5"
    return str(value)


def format_change(kind: str, value, lang: str | None = None) -> str:
    """+12,3 % (percent), +1,2 Pp. (percentage points), +0,12 (in the figure's own unit)."""
    if value is None:
        return "–"
    if lang is None:
        lang = get_language()
    sign = "+" if value > 0 else ""
    if kind == "points":
        suffix = " Pp." if is_german(lang) else " pp"
        return f"{sign}{_number(value, 1, lang)}{suffix}"
    if kind == "absolute":
        return f"{sign}{_number(value, 2, lang)}"
    suffix = " %" if is_german(lang) else "%"
    return f"{sign}{_number(value, 1, lang)}{suffix}"


CHANGE_TITLES = {
    "points": _("change in percentage points"),
    "percent": _("change in percent"),
    "absolute": _("change"),
}


@register.simple_tag
def kpi_change(change, label, unit):
    """A coloured change badge with an arrow; the comparison period's value in its tooltip."""
    return mark_safe(_change_html(change, conditional_escape(label), unit, get_language()))


def _change_html(change, label_html: str, unit: str, lang: str | None) -> str:
    """`kpi_change`'s markup; `label_html` is the label already escaped."""
    base = html_text(format_kpi(change.base, unit, lang))
    if change.value is None:
        return (f'<span class="delta neutral" title="{label_html}: {base} '
                f'({html_text(gettext("no comparison possible"))})">{label_html} –</span>')
    arrow = "▲" if change.value > 0 else "▼" if change.value < 0 else "■"
    return (
        f'<span class="delta {html_text(change.tone)}" title="{label_html}: {base} ({html_text(CHANGE_TITLES[change.kind])})">'
        f'{label_html} <span class="arrow" aria-hidden="true">{arrow}</span> '
        f'{html_text(format_change(change.kind, change.value, lang))}</span>'
    )


@register.simple_tag
def kpi_tiles(groups):
    """The dashboard's key-figure tiles, group by group: a link to the figure's definition, its value,
    the changes against the comparison periods, the target and its progress, a note.

    One function rather than a template loop with a tag and a dozen filters per tile (the tiles were
    a third of the page's rendering); the markup is the one the loop drew, space for space."""
    lang = get_language()
    german = is_german(lang)
    previous_label = html_text(gettext("Prev. period"))
    year_label = html_text(gettext("Prev. year"))
    definitions_url = html_text(reverse("kpis:definitions"))
    tile_title = html_text(gettext("What is this figure? Open its definition."))
    provisional_tag = (
        f' <span class="tag-provisional" title="{html_text(gettext("returns for orders of this period can still arrive"))}">'
        f'{html_text(gettext("provisional"))}</span>'
    )
    prorated_tag = (
        f' <span class="muted" title="{html_text(gettext("the monthly target shared out by the days of the period"))}">'
        f'({html_text(gettext("pro rata"))})</span>'
    )
    of_the_target = gettext("%(progress)s of the target %(target)s")
    target_word, reached_word, missed_word = html_text(gettext("Target")), html_text(gettext("reached")), html_text(gettext("missed"))
    parts = []
    for title, tiles in groups:
        parts.append(f'\n<section class="kpi-group">\n  <h2>{html_text(title)}</h2>\n  <div class="kpi-tiles">\n  ')
        for tile in tiles:
            kpi = tile.kpi
            key, unit = html_text(kpi.key), kpi.unit
            label = html_text(kpi.label_de if german else kpi.label_en)
            parts.append(
                f'\n    <a class="kpi-tile" href="{definitions_url}#kpi-{key}" data-testid="tile-{key}"\n'
                f'       title="{tile_title}">\n'
                f'      <span class="kpi-label">{label}{provisional_tag if tile.provisional else ""}</span>\n'
                f'      <strong class="kpi-value" data-testid="value-{key}">{html_text(format_kpi(tile.value, unit, lang))}</strong>\n'
                f'      <span class="kpi-deltas">\n'
                f'        {_change_html(tile.previous, previous_label, unit, lang)}\n'
                f'        {_change_html(tile.year_ago, year_label, unit, lang)}\n'
                f'      </span>\n      '
            )
            target = tile.target
            if target:
                state = "reached" if target.reached else "missed" if target.reached is False else ""
                parts.append(f'\n        <span class="kpi-target {state}" data-testid="target-{key}">\n          ')
                target_value = html_text(format_kpi(target.value, unit, lang))
                if target.progress is not None:
                    progress = of_the_target % {
                        "progress": html_text(format_percent(target.progress, 0, lang)), "target": target_value,
                    }
                    parts.append(
                        f'\n            <span class="bar" aria-hidden="true"><span style="width: '
                        f'{progress_percent(target.progress)}%"></span></span>\n'
                        f'            {progress}{prorated_tag if target.prorated else ""}\n          '
                    )
                else:
                    sign = "≤" if kpi.higher_is_better is False else "≥"
                    verdict = (f"✓ {reached_word}" if target.reached
                               else f"✗ {missed_word}" if target.reached is False else "")
                    parts.append(
                        f'\n            {target_word} {sign} {target_value}\n'
                        f'            {verdict}\n          '
                    )
                parts.append("\n        </span>\n      ")
            parts.append("\n      ")
            if tile.note:
                parts.append(f'<span class="kpi-note">{html_text(tile.note)}</span>')
            parts.append("\n    </a>\n  ")
        parts.append("\n  </div>\n</section>\n")
    return mark_safe("".join(parts))  # every value above was escaped


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
