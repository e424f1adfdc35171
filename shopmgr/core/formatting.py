"""Locale-aware display of money and rates: 1.234,56 € in German, €1,234.56 in English."""

from decimal import Decimal

from django.core.signals import setting_changed
from django.utils import formats, numberformat
from django.utils.translation import get_language

# The separators of each language, looked up once: `formats.number_format` asks for three settings
# on every call (about 8 µs a number, and a dashboard shows a couple of hundred numbers).
_SEPARATORS: dict[str | None, tuple[str, object, str]] = {}
_CUTOFFS: dict[int, Decimal] = {}


def _separators(lang: str | None) -> tuple[str, object, str]:
    try:
        return _SEPARATORS[lang]
    except KeyError:
        found = _SEPARATORS[lang] = (
            formats.get_format("DECIMAL_SEPARATOR", lang, use_l10n=True),
            formats.get_format("NUMBER_GROUPING", lang, use_l10n=True),
            formats.get_format("THOUSAND_SEPARATOR", lang, use_l10n=True),
        )
        return found


def _forget_separators(*, setting, **kwargs):
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "USE_L10N", "USE_THOUSAND_SEPARATOR", "FORMAT_MODULE_PATH",
                   "DECIMAL_SEPARATOR", "THOUSAND_SEPARATOR", "NUMBER_GROUPING"}:
        _SEPARATORS.clear()


setting_changed.connect(_forget_separators)


def number(value, decimal_pos: int, lang: str | None = None) -> str:
    """`formats.number_format(Decimal(value), decimal_pos, use_l10n=True, force_grouping=True)` in the
    language `lang` (the active one when not given): the same text, with the separators cached."""
    if lang is None:
        lang = get_language()
    value = Decimal(value)
    decimal_sep, grouping, thousand_sep = _separators(lang)
    if type(grouping) is not int or grouping <= 0 or decimal_pos is None or not value.is_finite():
        return numberformat.format(value, decimal_sep, decimal_pos, grouping, thousand_sep,
                                   force_grouping=True, use_l10n=True)
    # What numberformat.format does for a Decimal, step by step (it truncates, it does not round).
    cutoff = _CUTOFFS.get(decimal_pos)
    if cutoff is None:
        cutoff = _CUTOFFS[decimal_pos] = Decimal("0." + "1".rjust(decimal_pos, "0"))
    if abs(value) < cutoff:
        value = Decimal("0")
    _sign, digits, exponent = value.as_tuple()
    if abs(exponent) + len(digits) > 200:
        return numberformat.format(value, decimal_sep, decimal_pos, grouping, thousand_sep,
                                   force_grouping=True, use_l10n=True)
    text = f"{value:f}"
    sign = ""
    if text[0] == "-":
        sign, text = "-", text[1:]
    int_part, _dot, dec_part = text.partition(".")
    dec_part = dec_part[:decimal_pos]
    dec_part += "0" * (decimal_pos - len(dec_part))
    if dec_part:
        dec_part = decimal_sep + dec_part
    if len(int_part) > grouping:
        head = len(int_part) % grouping or grouping
        int_part = int_part[:head] + "".join(
            thousand_sep + int_part[i:i + grouping] for i in range(head, len(int_part), grouping)
        )
    return sign + int_part + dec_part


def is_german(lang: str | None) -> bool:
    return (lang or "de").startswith("de")


def format_money(value, decimal_pos: int = 2, lang: str | None = None) -> str:
    if value is None or value == "":
        return "–"
    if lang is None:
        lang = get_language()
    text = number(value, decimal_pos, lang)
    if is_german(lang):
        return f"{text} €"
    if text.startswith("-"):
        return f"-€{text[1:]}"
    return f"€{text}"


def format_percent(value, decimal_pos: int = 1, lang: str | None = None) -> str:
    """A fraction (0.1234) as a percentage (12,3 % / 12.3%)."""
    if value is None or value == "":
        return "–"
    if lang is None:
        lang = get_language()
    text = number(Decimal(value) * 100, decimal_pos, lang)
    if is_german(lang):
        return f"{text} %"
    return f"{text}%"
