"""Locale-aware display of money and rates: 1.234,56 € in German, €1,234.56 in English."""

from decimal import Decimal

from django.utils import formats
from django.utils.translation import get_language


def format_money(value, decimal_pos: int = 2) -> str:
    if value is None or value == "":
        return "–"
    number = formats.number_format(Decimal(value), decimal_pos, use_l10n=True, force_grouping=True)
    if (get_language() or "de").startswith("de"):
        return f"{number} €"
    if number.startswith("-"):
        return f"-€{number[1:]}"
    return f"€{number}"


def format_percent(value, decimal_pos: int = 1) -> str:
    """A fraction (0.1234) as a percentage (12,3 % / 12.3%)."""
    if value is None or value == "":
        return "–"
    number = formats.number_format(Decimal(value) * 100, decimal_pos, use_l10n=True, force_grouping=True)
    if (get_language() or "de").startswith("de"):
        return f"{number} %"
    return f"{number}%"
