from decimal import Decimal

from django.utils import translation

from shopmgr.core.formatting import format_money, format_percent
from shopmgr.core.money import line_net


def test_money_in_german_is_1_234_56_euro():
    with translation.override("de"):
        assert format_money(Decimal("1234.56")) == "1.234,56 €"
        assert format_money(Decimal("-0.5")) == "-0,50 €"
        assert format_money(None) == "–"


def test_money_in_english_is_euro_1_234_56():
    with translation.override("en"):
        assert format_money(Decimal("1234.56")) == "€1,234.56"
        assert format_money(Decimal("-1234.5")) == "-€1,234.50"


def test_percent_follows_the_locale():
    with translation.override("de"):
        assert format_percent(Decimal("0.1234")) == "12,3 %"
    with translation.override("en"):
        assert format_percent(Decimal("0.1234")) == "12.3%"


def test_line_net_rounds_half_up_once_at_the_line():
    # 3 × 19.99 − 5.00 = 54.97 gross at 19 % → 46.19327… → 46.19
    assert line_net(quantity=3, unit_price=Decimal("19.99"), vat_rate=Decimal("0.19"), discount=Decimal("5")) == Decimal("46.19")
    # 7 %: 2 × 10.70 = 21.40 / 1.07 = 20.00 exactly
    assert line_net(quantity=2, unit_price=Decimal("10.70"), vat_rate=Decimal("0.07"), discount=Decimal("0")) == Decimal("20.00")
    # half-up, not banker's rounding: 2.985 → 2.99
    assert line_net(quantity=1, unit_price=Decimal("2.985"), vat_rate=Decimal("0"), discount=Decimal("0")) == Decimal("2.99")


def test_number_is_djangos_number_format_with_the_separators_cached():
    from django.utils import formats

    from shopmgr.core.formatting import number

    values = [
        Decimal("0"), Decimal("-0.004"), Decimal("-0.05"), Decimal("-0.5"), Decimal("0.999"), Decimal("999.995"),
        Decimal("1000"), Decimal("-1234567.891"), Decimal("1E+7"), Decimal("123456789012.3456"), Decimal("1E-250"),
        0, 7, -1234, 1234567, 2.675, "12.5",
    ]
    for language in ("de", "en"):
        with translation.override(language):
            for value in values:
                for places in (0, 1, 2, 4):
                    expected = formats.number_format(Decimal(value), places, use_l10n=True, force_grouping=True)
                    assert number(value, places) == expected, (language, value, places)
                    assert number(value, places, language) == expected
