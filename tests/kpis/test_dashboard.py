"""The KPI pages: periods, the dashboard and its scope, targets, runs, the dictionary, query counts."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.template import Context, Template
from django.urls import reverse

from catalog.models import Category
from kpis import periods, registry, reports
from kpis.forms import DashboardForm
from kpis.models import KpiTarget, MetricsRun
from kpis.periods import Period, preset_period
from sales.models import Order, TrafficDay
from shopmgr.core import dates, roles
from tests.catalog.factories import CategoryFactory, ProductFactory
from tests.conftest import user_with_role
from tests.core.factories import UserFactory
from tests.sales.factories import CustomerFactory, OrderFactory, OrderLineFactory

DASHBOARD = "/kpis/"
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# --- periods --------------------------------------------------------------------------------

@pytest.mark.parametrize(("preset", "first", "last"), [
    (periods.YESTERDAY, "2026-03-14", "2026-03-14"),
    (periods.LAST_7_DAYS, "2026-03-08", "2026-03-14"),
    (periods.LAST_30_DAYS, "2026-02-13", "2026-03-14"),
    (periods.MONTH_TO_DATE, "2026-03-01", "2026-03-14"),
    (periods.LAST_MONTH, "2026-02-01", "2026-02-28"),
    (periods.YEAR_TO_DATE, "2026-01-01", "2026-03-14"),
])
def test_each_preset_ends_yesterday_seen_from_a_fixed_today(preset, first, last):
    # given today is 15 March 2026 / when the preset is resolved / then it covers these days
    period = preset_period(preset, today=d("2026-03-15"))
    assert (period.first, period.last, period.preset) == (d(first), d(last), preset)


def test_to_date_presets_on_the_first_day_hold_that_day():
    assert preset_period(periods.MONTH_TO_DATE, today=d("2026-03-01")) == Period(
        d("2026-03-01"), d("2026-03-01"), periods.MONTH_TO_DATE)
    assert preset_period(periods.YEAR_TO_DATE, today=d("2026-01-01")) == Period(
        d("2026-01-01"), d("2026-01-01"), periods.YEAR_TO_DATE)


def test_last_month_crosses_the_year_and_knows_leap_years():
    assert preset_period(periods.LAST_MONTH, today=d("2026-01-10")) == Period(
        d("2025-12-01"), d("2025-12-31"), periods.LAST_MONTH)
    assert preset_period(periods.LAST_MONTH, today=d("2028-03-05")) == Period(
        d("2028-02-01"), d("2028-02-29"), periods.LAST_MONTH)


def test_unknown_preset_is_refused():
    with pytest.raises(ValueError):
        preset_period("last_decade", today=d("2026-03-15"))


def test_previous_period_has_equal_length_and_ends_the_day_before():
    february = Period(d("2026-02-01"), d("2026-02-28"))
    assert february.previous() == Period(d("2026-01-04"), d("2026-01-31"))
    assert february.previous().days == february.days == 28
    assert Period(d("2026-03-14"), d("2026-03-14")).previous() == Period(d("2026-03-13"), d("2026-03-13"))


def test_year_ago_period_has_the_same_dates_and_29_february_becomes_28():
    assert Period(d("2026-02-01"), d("2026-02-28")).year_ago() == Period(d("2025-02-01"), d("2025-02-28"))
    assert Period(d("2028-02-01"), d("2028-02-29")).year_ago() == Period(d("2027-02-01"), d("2027-02-28"))
    assert Period(d("2028-02-29"), d("2028-03-10")).year_ago() == Period(d("2027-02-28"), d("2027-03-10"))


def test_a_period_knows_its_months_and_their_days():
    period = Period(d("2026-01-20"), d("2026-03-05"))
    assert period.months() == [d("2026-01-01"), d("2026-02-01"), d("2026-03-01")]
    assert [period.days_in_month(m) for m in period.months()] == [12, 28, 5]
    with pytest.raises(ValueError):
        Period(d("2026-03-05"), d("2026-03-04"))


def test_today_is_the_berlin_date(monkeypatch):
    # given 23:30 UTC on 28 March 2026, which is 00:30 on 29 March in Berlin
    monkeypatch.setattr(dates.timezone, "now", lambda: dt.datetime(2026, 3, 28, 23, 30, tzinfo=dt.UTC))
    assert periods.berlin_today() == d("2026-03-29")
    # and the night of the autumn switch: 22:30 UTC on 25 October is 23:30 in Berlin
    monkeypatch.setattr(dates.timezone, "now", lambda: dt.datetime(2026, 10, 25, 22, 30, tzinfo=dt.UTC))
    assert periods.berlin_today() == d("2026-10-25")


def _form(**data):
    form = DashboardForm(data, channels=["webshop"], today=d("2026-03-15"))
    return form, form.chosen_period()


def test_the_form_keeps_a_preset_whose_own_dates_come_along():
    form, period = _form(period="last_month", **{"from": "2026-02-01", "to": "2026-02-28"})
    assert form.is_valid() and period.preset == periods.LAST_MONTH


def test_the_form_treats_other_dates_as_a_custom_period():
    form, period = _form(period="last_month", **{"from": "2026-02-03", "to": "2026-02-10"})
    assert form.is_valid()
    assert period == Period(d("2026-02-03"), d("2026-02-10"), periods.CUSTOM)


@pytest.mark.parametrize(("data", "field"), [
    ({"period": "custom", "from": "2026-03-10", "to": "2026-03-01"}, "date_to"),
    ({"period": "custom", "from": "2020-01-01", "to": "2026-03-01"}, "date_to"),
    ({"period": "custom", "from": "31.02.2026", "to": "2026-03-01"}, "date_from"),
    ({"period": "custom", "to": "2026-03-01"}, "date_from"),
    ({"period": "next_year"}, "period"),
    ({"channel": "carrier-pigeon"}, "channel"),
])
def test_the_form_refuses_bad_periods_and_falls_back_to_the_default(data, field):
    form, period = _form(**data)
    assert not form.is_valid()
    assert field in form.errors
    assert period == preset_period(periods.DEFAULT_PRESET, today=d("2026-03-15"))


# --- data -----------------------------------------------------------------------------------

def _order(placed_at: str, lines, *, channel="webshop", status=Order.Status.DELIVERED, customer=None):
    order = OrderFactory(
        placed_at=dt.datetime.fromisoformat(placed_at), channel=channel, status=status,
        customer=customer or CustomerFactory(),
    )
    for line_no, (product, quantity, unit_price) in enumerate(lines, start=1):
        OrderLineFactory(order=order, line_no=line_no, product=product, quantity=quantity,
                         unit_price=Decimal(unit_price), vat_rate=Decimal("0.19"), unit_cost=Decimal("10.00"))
    return order


@pytest.fixture
def shop(db, category_tree, shop_manager, fashion_manager):
    """Orders in March 2026 (and February, and March 2025) in fashion and electronics; facts computed."""
    dress = ProductFactory(sku="DRESS", category=category_tree["women"])
    shirt = ProductFactory(sku="SHIRT", category=category_tree["men"])
    phone = ProductFactory(sku="PHONE", category=category_tree["phones"])
    _order("2026-03-02T10:00:00+01:00", [(dress, 2, "59.50")])  # net 100.00
    _order("2026-03-10T12:00:00+01:00", [(phone, 1, "119.00")], channel="app")  # net 100.00
    _order("2026-03-20T09:00:00+01:00", [(shirt, 1, "23.80"), (phone, 1, "238.00")])  # net 20.00 + 200.00
    _order("2026-03-21T09:00:00+01:00", [(dress, 1, "59.50")], status=Order.Status.CANCELLED)
    _order("2026-02-15T09:00:00+01:00", [(dress, 1, "119.00")])  # net 100.00, the previous period
    _order("2025-03-15T09:00:00+01:00", [(phone, 2, "119.00")])  # net 200.00, a year earlier
    for day in ("2026-03-02", "2026-03-10", "2026-03-20"):
        TrafficDay.objects.create(date=d(day), channel="webshop", sessions=100)
    call_command("compute_metrics", "--all", verbosity=0)
    return {"dress": dress, "shirt": shirt, "phone": phone, **category_tree}


def _tiles(response) -> dict:
    return {tile.kpi.key: tile for _title, tiles in response.context["groups"] for tile in tiles}


def _api(client, **params):
    response = client.get("/api/kpis/", params)
    assert response.status_code == 200
    return response.json()["kpis"]


def _rows(response) -> list[str]:
    return [row["code"] for row in response.context["table"].data.data]


# --- dashboard ------------------------------------------------------------------------------

def test_shop_manager_sees_the_figures_of_the_api(client, shop, shop_manager):
    client.force_login(shop_manager)
    # when the dashboard and the API are asked for the same period
    response = client.get(DASHBOARD, MARCH)
    api = _api(client, **MARCH)
    # then every tile holds the API's value
    assert response.status_code == 200
    tiles = _tiles(response)
    assert set(tiles) == set(reports.TILE_KEYS) and "repeat_rate" not in tiles
    for key, tile in tiles.items():
        assert registry.BY_KEY[key].as_json(tile.value) == api[key], key
    assert api["revenue"] == "420.00" and api["orders"] == 3
    # and the page shows them in German
    html = response.content.decode()
    assert "420,00 €" in html and "Kennzahlen" in html and "Umsatz" in html
    assert "01.03.2026 – 31.03.2026" in html


def test_tiles_compare_with_the_previous_period_and_the_year_before(client, shop, shop_manager):
    client.force_login(shop_manager)
    tiles = _tiles(client.get(DASHBOARD, MARCH))
    revenue = tiles["revenue"]
    # previous period 29.01.–28.02.2026: 100.00; March 2025: 200.00
    assert (revenue.previous.kind, revenue.previous.value, revenue.previous.tone) == ("percent", Decimal("320.0"), "good")
    assert (revenue.year_ago.value, revenue.year_ago.base) == (Decimal("110.0"), Decimal("200.00"))
    # a rate changes in percentage points; a cancellation rate going up is bad
    cancellation = tiles["cancellation_rate"]
    assert (cancellation.previous.kind, cancellation.previous.value, cancellation.previous.tone) == (
        "points", Decimal("25.0"), "bad")
    # sessions are neither good nor bad
    assert tiles["sessions"].previous.tone == "neutral"


def test_a_rounded_zero_change_is_neutral():
    kpi = registry.BY_KEY["conversion_rate"]
    change = reports.change(kpi, Decimal("0.0251"), Decimal("0.0252"))
    assert (change.value, change.tone) == (Decimal("0.0"), "neutral")
    assert reports.change(registry.BY_KEY["revenue"], Decimal("5"), Decimal("0")).value is None


def test_every_tile_links_to_its_definition(client, shop, shop_manager):
    client.force_login(shop_manager)
    html = client.get(DASHBOARD, MARCH).content.decode()
    for key in reports.TILE_KEYS:
        assert f'href="/kpis/definitions/#kpi-{key}"' in html
    dictionary = client.get(reverse("kpis:definitions")).content.decode()
    for kpi in registry.KPIS:
        assert f'id="kpi-{kpi.key}"' in dictionary
        assert kpi.label_de in dictionary


def test_the_chart_gets_one_point_per_day_as_json(client, shop, shop_manager):
    client.force_login(shop_manager)
    response = client.get(DASHBOARD, MARCH)
    chart = response.context["chart_data"]
    assert chart["granularity"] == "day" and len(chart["points"]) == 31
    second = next(p for p in chart["points"] if p["start"] == "2026-03-02")
    assert (second["revenue"], second["orders"], second["conversion_rate"]) == (100.0, 1, 0.01)
    assert 'id="kpi-chart-data"' in response.content.decode()
    # a year is drawn by week: means per day of each week, the edge weeks cut to the period
    year = client.get(DASHBOARD, {"from": "2025-04-01", "to": "2026-03-31"}).context["chart_data"]
    assert year["granularity"] == "week"
    assert (year["points"][0]["start"], year["points"][0]["days"]) == ("2025-04-01", 6)
    assert (year["points"][-1]["end"], year["points"][-1]["days"]) == ("2026-03-31", 2)
    assert sum(p["days"] for p in year["points"]) == 365
    assert abs(sum(p["orders"] * p["days"] for p in year["points"]) - 4) < 0.1  # means rounded to 2 places
    week = next(p for p in year["points"] if p["start"] == "2026-03-16")
    assert (week["revenue"], week["orders"]) == (round(220 / 7, 2), round(1 / 7, 2))


def test_channel_selects_orders_and_traffic_of_that_channel(client, shop, shop_manager):
    client.force_login(shop_manager)
    tiles = _tiles(client.get(DASHBOARD, {**MARCH, "channel": "app"}))
    api = _api(client, **MARCH, channel="app")
    assert tiles["revenue"].value == Decimal(api["revenue"]) == Decimal("100.00")
    assert tiles["sessions"].value == 0 and tiles["conversion_rate"].value is None


def test_the_category_table_drills_down(client, shop, shop_manager):
    client.force_login(shop_manager)
    # the shop's top level: both roots, fashion with 120.00 (dress 100 + shirt 20)
    response = client.get(DASHBOARD, MARCH)
    rows = {row["code"]: row for row in response.context["table"].data.data}
    assert set(rows) == {"FASHION", "ELECTRONICS"}
    assert rows["FASHION"]["revenue"] == Decimal("120.00") and rows["ELECTRONICS"]["revenue"] == Decimal("300.00")
    assert rows["FASHION"]["url"] == "/kpis/?from=2026-03-01&to=2026-03-31&category=FASHION"
    # when drilling into fashion: its figures (as the API has them) and its sub-categories
    fashion = client.get(DASHBOARD, {**MARCH, "category": "FASHION"})
    assert _tiles(fashion)["revenue"].value == Decimal(_api(client, **MARCH, category="FASHION")["revenue"])
    assert sorted(_rows(fashion)) == ["FASHION-MEN", "FASHION-WOMEN"]
    html = fashion.content.decode()
    assert "/catalog/products/?category=FASHION" in html
    # a leaf has no table rows but the link to its products
    women = client.get(DASHBOARD, {**MARCH, "category": "FASHION-WOMEN"})
    assert _rows(women) == [] and women.context["is_leaf"]


def test_the_category_table_exports_csv_and_excel(client, shop, shop_manager):
    client.force_login(shop_manager)
    csv = client.get(DASHBOARD, {**MARCH, "_export": "csv"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    body = csv.content.decode()
    assert "FASHION" in body and "120.00" in body
    xlsx = client.get(DASHBOARD, {**MARCH, "_export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_category_manager_sees_only_their_categories(client, shop, fashion_manager):
    client.force_login(fashion_manager)
    # when the fashion manager opens the dashboard
    response = client.get(DASHBOARD, MARCH)
    # then the figures are those of fashion, as the API gives them to the same user
    api = _api(client, **MARCH)
    tiles = _tiles(response)
    for key, tile in tiles.items():
        assert registry.BY_KEY[key].as_json(tile.value) == api[key], key
    assert tiles["revenue"].value == Decimal("120.00")
    # and the table holds fashion only
    assert _rows(response) == ["FASHION"]
    html = response.content.decode()
    assert "Electronics" not in html and "ELECTRONICS" not in html
    # a foreign category is not found, neither is an unknown one
    assert client.get(DASHBOARD, {**MARCH, "category": "ELECTRONICS"}).status_code == 404
    assert client.get(DASHBOARD, {**MARCH, "category": "ELECTRONICS-PHONES"}).status_code == 404
    assert client.get(DASHBOARD, {**MARCH, "category": "NOPE"}).status_code == 404
    # their own sub-category opens
    assert client.get(DASHBOARD, {**MARCH, "category": "FASHION-MEN"}).status_code == 200


def test_manager_of_a_sub_category_starts_at_that_category(client, shop):
    manager = user_with_role(roles.CATEGORY_MANAGERS, username="cm_men")
    shop["men"].managers.add(manager)
    client.force_login(manager)
    response = client.get(DASHBOARD, MARCH)
    assert _rows(response) == ["FASHION-MEN"]
    assert _tiles(response)["revenue"].value == Decimal("20.00")
    assert client.get(DASHBOARD, {**MARCH, "category": "FASHION"}).status_code == 404


def test_a_user_without_role_gets_no_figures(client, shop):
    client.force_login(UserFactory(username="nobody"))
    response = client.get(DASHBOARD)
    assert response.status_code == 403
    assert b'data-testid="no-scope"' in response.content


def test_customer_service_sees_the_whole_shop(client, shop):
    client.force_login(user_with_role(roles.CUSTOMER_SERVICE, username="service"))
    response = client.get(DASHBOARD, MARCH)
    assert _tiles(response)["revenue"].value == Decimal("420.00")
    assert "Kennzahlen" in response.content.decode() and "Läufe" not in response.content.decode()


def test_navigation_by_role(client, shop, shop_manager, fashion_manager):
    client.force_login(shop_manager)
    html = client.get("/").content.decode()
    assert 'href="/kpis/"' in html and 'href="/kpis/runs/"' in html
    client.force_login(fashion_manager)
    html = client.get("/").content.decode()
    assert 'href="/kpis/"' in html and 'href="/kpis/runs/"' not in html


def test_provisional_marker_only_while_returns_can_arrive(client, shop, shop_manager):
    client.force_login(shop_manager)
    # a period long past is final
    old = client.get(DASHBOARD, {"from": "2025-03-01", "to": "2025-03-31"})
    assert old.context["provisional_until"] is None and b'data-testid="provisional"' not in old.content
    # yesterday is provisional for 30 more days, and the return figures say so
    yesterday = periods.berlin_today() - dt.timedelta(days=1)
    recent = client.get(DASHBOARD, {"period": "yesterday"})
    assert recent.context["provisional_until"] == yesterday + dt.timedelta(days=30)
    html = recent.content.decode()
    assert "Vorläufig bis" in html and (yesterday + dt.timedelta(days=30)).strftime("%d.%m.%Y") in html
    tiles = _tiles(recent)
    assert tiles["return_rate"].provisional and not tiles["orders"].provisional


def test_bad_period_shows_the_field_message_and_the_default_period(client, shop, shop_manager):
    client.force_login(shop_manager)
    response = client.get(DASHBOARD, {"period": "custom", "from": "2026-03-10", "to": "2026-03-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Der letzte Tag liegt vor dem ersten Tag." in html
    assert response.context["period"] == preset_period(periods.DEFAULT_PRESET)


def test_english_renders_too(client, shop, shop_manager):
    client.force_login(shop_manager)
    html = client.get(DASHBOARD, MARCH, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Key figures" in html and "Revenue" in html and "€420.00" in html and "1 Mar 2026" in html
    dictionary = client.get(reverse("kpis:definitions"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "KPI dictionary" in dictionary and "Average order value" in dictionary


# --- targets --------------------------------------------------------------------------------

def test_targets_show_as_progress_on_the_tiles(client, shop, shop_manager):
    KpiTarget.objects.create(kpi="revenue", month=d("2026-03-01"), value=Decimal("840.00"))
    KpiTarget.objects.create(kpi="cancellation_rate", month=d("2026-03-01"), value=Decimal("0.1"))
    KpiTarget.objects.create(kpi="revenue", month=d("2026-03-01"), category=shop["fashion"], value=Decimal("100"))
    client.force_login(shop_manager)
    tiles = _tiles(client.get(DASHBOARD, MARCH))
    # revenue 420.00 of 840.00
    assert tiles["revenue"].target.progress == Decimal("0.5") and tiles["revenue"].target.reached is False
    # a cancellation rate of 25 % misses a target of at most 10 %
    assert tiles["cancellation_rate"].target.value == Decimal("0.1000")
    assert tiles["cancellation_rate"].target.reached is False
    assert tiles["orders"].target is None
    # half of March: half the monthly revenue target
    half = _tiles(client.get(DASHBOARD, {"from": "2026-03-01", "to": "2026-03-15", "period": "custom"}))
    assert half["revenue"].target.value == Decimal("406.45") and half["revenue"].target.prorated
    # a period reaching into a month without target shows none
    assert _tiles(client.get(DASHBOARD, {"from": "2026-02-20", "to": "2026-03-10"}))["revenue"].target is None
    # fashion has its own target, reached
    fashion = _tiles(client.get(DASHBOARD, {**MARCH, "category": "FASHION"}))
    assert fashion["revenue"].target.value == Decimal("100.00") and fashion["revenue"].target.reached


def test_shop_manager_sets_a_target(client, shop, shop_manager):
    client.force_login(shop_manager)
    assert client.get(reverse("kpis:targets")).status_code == 200
    # when a return rate target of 35,5 % is saved for fashion in April
    response = client.post(reverse("kpis:targets"), {
        "kpi": "return_rate", "month": "2026-04", "category": "FASHION", "value": "35,5",
    })
    assert response.status_code == 302
    target = KpiTarget.objects.get()
    assert (target.kpi, target.month, target.category.code, target.value, target.set_by) == (
        "return_rate", d("2026-04-01"), "FASHION", Decimal("0.3550"), shop_manager)
    # then saving again replaces it
    client.post(reverse("kpis:targets"), {"kpi": "return_rate", "month": "04.2026", "category": "FASHION", "value": "30"})
    assert KpiTarget.objects.get().value == Decimal("0.3000")
    # and a shop-wide revenue target with German thousands
    client.post(reverse("kpis:targets"), {"kpi": "revenue", "month": "2026-04", "category": "", "value": "1.250.000,50"})
    assert KpiTarget.objects.get(category__isnull=True).value == Decimal("1250000.50")
    page = client.get(reverse("kpis:targets")).content.decode()
    assert "1.250.000,50 €" in page and "30,0 %" in page


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"kpi": "return_rate", "month": "2026-04", "value": "150"}, "value", "Prozentwert zwischen 0 und 100"),
    ({"kpi": "orders", "month": "2026-04", "value": "12,5"}, "value", "ganze Zahl"),
    ({"kpi": "revenue", "month": "2026-04", "value": "-5"}, "value", "nicht negativ"),
    ({"kpi": "avg_rating", "month": "2026-04", "value": "6"}, "value", "zwischen 1 und 5"),
    ({"kpi": "revenue", "month": "April", "value": "5"}, "month", "JJJJ-MM"),
    ({"kpi": "revenue", "month": "2026-13", "value": "5"}, "month", "JJJJ-MM"),
    ({"kpi": "repeat_rate", "month": "2026-04", "value": "5"}, "kpi", "Auswahl"),
    ({"kpi": "revenue", "month": "2026-04", "value": "viel"}, "value", "Zahl"),
    ({"kpi": "revenue", "month": "2026-04", "category": "NOPE", "value": "5"}, "category", "Auswahl"),
])
def test_target_form_refuses_bad_input_with_a_field_message(client, shop, shop_manager, data, field, message):
    client.force_login(shop_manager)
    response = client.post(reverse("kpis:targets"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field])
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert not KpiTarget.objects.exists()


def test_only_shop_managers_set_targets(client, shop, fashion_manager):
    client.force_login(fashion_manager)
    assert client.get(reverse("kpis:targets")).status_code == 403
    response = client.post(reverse("kpis:targets"), {"kpi": "revenue", "month": "2026-04", "value": "5"})
    assert response.status_code == 403
    assert not KpiTarget.objects.exists()
    target = KpiTarget.objects.create(kpi="revenue", month=d("2026-04-01"), value=Decimal("5"))
    assert client.post(reverse("kpis:target-delete", args=[target.pk])).status_code == 403
    assert KpiTarget.objects.exists()
    # and the dashboard offers no link to the targets
    assert b"/kpis/targets/" not in client.get(DASHBOARD).content


def test_shop_manager_deletes_a_target(client, shop, shop_manager):
    target = KpiTarget.objects.create(kpi="revenue", month=d("2026-04-01"), value=Decimal("5"))
    client.force_login(shop_manager)
    assert client.get(reverse("kpis:target-delete", args=[target.pk])).status_code == 405
    assert client.post(reverse("kpis:target-delete", args=[target.pk])).status_code == 302
    assert not KpiTarget.objects.exists()


# --- runs -----------------------------------------------------------------------------------

def test_runs_page_lists_the_runs_for_shop_managers(client, shop, shop_manager):
    MetricsRun.objects.create(
        started_at=dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC), finished_at=dt.datetime(2026, 3, 2, 1, 31, tzinfo=dt.UTC),
        status=MetricsRun.Status.FAILED, days_total=3, days_done=2, days_failed=1, rows=12,
        error="OperationalError('database is locked')",
    )
    client.force_login(shop_manager)
    response = client.get(reverse("kpis:runs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "fehlgeschlagen" in html and "database is locked" in html and "2 / 3" in html
    runs = list(response.context["table"].page.object_list)
    assert runs[0].record.trigger == MetricsRun.Trigger.MANUAL  # newest first: the compute_metrics run


@pytest.mark.parametrize("role", [roles.CATEGORY_MANAGERS, roles.CUSTOMER_SERVICE, None])
def test_runs_page_is_closed_to_others(client, shop, role):
    client.force_login(user_with_role(role, username=f"u-{role}"))
    response = client.get(reverse("kpis:runs"))
    assert response.status_code == 403
    assert "Diese Seite ist nur für die Shopleitung." in response.content.decode()


# --- query counts ---------------------------------------------------------------------------

def _more_rows():
    """More categories, products, orders, targets and runs: the page must not query per row."""
    for i in range(6):
        root = CategoryFactory(code=f"ROOT{i}", name=f"Root {i}")
        child = CategoryFactory(code=f"ROOT{i}-A", name=f"Child {i}", parent=root)
        CategoryFactory(code=f"FASHION-X{i}", name=f"Fashion {i}", parent=Category.objects.get(code="FASHION"))
        product = ProductFactory(category=child)
        for day in range(1, 28, 3):
            _order(f"2026-03-{day:02d}T10:00:00+01:00", [(product, 1, "11.90")], channel=f"ch{i}")
        KpiTarget.objects.create(kpi=reports.TARGET_KEYS[i + 1], month=d("2026-03-01"), value=Decimal("100"))
        KpiTarget.objects.create(kpi="revenue", month=d(f"2026-0{i + 1}-01"), category=root, value=Decimal("100"))
        TrafficDay.objects.create(date=d(f"2026-03-{i + 1:02d}"), channel=f"ch{i}", sessions=10)
    call_command("compute_metrics", "--all", verbosity=0)
    call_command("compute_metrics", "--all", verbosity=0)


# Pinned: session, user, groups (role), then two round trips of several statements each: the
# categories, the scope and the channel list; the daily facts, daily traffic, category rows (this
# period, previous revenue) and targets (reports._fetch). A category manager adds their managed
# paths and their categories (scope_for); a category page the product table.
PAGES = [
    ("shop", DASHBOARD + "?from=2026-03-01&to=2026-03-31", 5),
    ("shop", DASHBOARD + "?from=2026-03-01&to=2026-03-31&category=FASHION", 6),  # + the product table
    ("shop", DASHBOARD + "?period=last_30_days&channel=webshop", 5),
    ("cm", DASHBOARD + "?from=2026-03-01&to=2026-03-31", 7),
    ("cm", DASHBOARD + "?from=2026-03-01&to=2026-03-31&category=FASHION", 7),  # + the product table
    ("shop", "/kpis/definitions/", 3),
    ("shop", "/kpis/runs/", 5),
    ("shop", "/kpis/targets/", 6),
]


# Where statements cannot share a round trip (SQLite, the demo database) the dashboard's two
# batches go one statement each: three and five statements instead of two round trips.
UNBATCHED_EXTRA = 6


@pytest.mark.parametrize(("who", "url", "queries"), PAGES)
def test_query_count_is_fixed_with_few_and_many_rows(client, shop, shop_manager, fashion_manager,
                                                      django_assert_num_queries, who, url, queries):
    if connection.vendor != "postgresql" and url.startswith(DASHBOARD + "?"):
        queries += UNBATCHED_EXTRA
    client.force_login(shop_manager if who == "shop" else fashion_manager)
    KpiTarget.objects.create(kpi="revenue", month=d("2026-03-01"), value=Decimal("100"))
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    _more_rows()
    with django_assert_num_queries(queries):
        response = client.get(url)
        assert response.status_code == 200
    if "category=FASHION" in url:
        assert len(_rows(response)) == 8  # men, women and six more sub-categories
    elif url.startswith(DASHBOARD + "?") and who == "shop":
        assert len(response.context["table"].data) == 8  # two roots and six more


def test_dashboard_json_blob_is_valid_json(client, shop, shop_manager):
    client.force_login(shop_manager)
    html = client.get(DASHBOARD, MARCH).content.decode()
    start = html.index('<script id="kpi-chart-data" type="application/json">') + len(
        '<script id="kpi-chart-data" type="application/json">')
    blob = json.loads(html[start:html.index("</script>", start)])
    assert blob["labels"]["revenue"] == "Umsatz" and blob["language"] == "de"


def test_a_provisional_return_figure_neither_reaches_nor_misses_its_target(client, shop, shop_manager):
    yesterday = periods.berlin_today() - dt.timedelta(days=1)
    KpiTarget.objects.create(kpi="return_rate", month=yesterday.replace(day=1), value=Decimal("0.30"))
    KpiTarget.objects.create(kpi="orders", month=yesterday.replace(day=1), value=Decimal("300"))
    client.force_login(shop_manager)
    tiles = _tiles(client.get(DASHBOARD, {"period": "yesterday"}))
    assert tiles["return_rate"].target.value == Decimal("0.3000") and tiles["return_rate"].target.reached is None
    assert tiles["return_rate"].previous.tone == "neutral"
    assert tiles["orders"].target.reached is False  # orders do not wait for returns


def test_the_category_table_sorts_by_any_column(client, shop, shop_manager):
    client.force_login(shop_manager)
    assert _rows(client.get(DASHBOARD, MARCH)) == ["ELECTRONICS", "FASHION"]  # by revenue, highest first
    assert _rows(client.get(DASHBOARD, {**MARCH, "sort": "name"})) == ["ELECTRONICS", "FASHION"]
    assert _rows(client.get(DASHBOARD, {**MARCH, "sort": "-name"})) == ["FASHION", "ELECTRONICS"]
    html = client.get(DASHBOARD, {**MARCH, "sort": "-units_sold"}).content.decode()
    assert html.index(">Fashion</a>") < html.index(">Electronics</a>")  # 3 units against 2


def _thead(html: str) -> str:
    head = html[html.index("<thead"):html.index("</thead>")]
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", head)).replace("<thead >", "<thead>").strip()


def test_the_category_table_header_is_the_one_django_tables2_draws(client, shop, shop_manager):
    # given a table sorted by orders, with a period and a channel in the query string
    client.force_login(shop_manager)
    response = client.get(DASHBOARD, {**MARCH, "channel": "webshop", "sort": "-orders"})
    html = response.content.decode()

    # when django-tables2's own template draws the same table
    table = response.context["table"]
    stock = Template('{% load django_tables2 %}{% render_table table "django_tables2/table.html" %}').render(
        Context({"table": table, "request": response.wsgi_request})
    )

    # then the header cells and their sort links are the same, and a link keeps the period
    assert _thead(html) == _thead(stock)
    assert 'href="?from=2026-03-01&amp;to=2026-03-31&amp;channel=webshop&amp;sort=orders"' in html
    assert 'href="?from=2026-03-01&amp;to=2026-03-31&amp;channel=webshop&amp;sort=revenue"' in html
