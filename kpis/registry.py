"""The KPI registry: every key figure defined once (DESIGN §4).

Dashboards, the API, exports, the KPI dictionary and targets all read this module. A KPI computes
its value from `Measures`: the sums of the daily facts over a period and scope, plus the few
figures that are not sums of days (receivables up to the last day, repeat customers).
Rates are fractions; money is EUR net of VAT unless the name says otherwise; a ratio whose
denominator is zero is None (shown as "–", sent as null).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language

COUNT, MONEY, RATE, DAYS, RATING = "count", "money", "rate", "days", "rating"
QUANT = {MONEY: Decimal("0.01"), RATE: Decimal("0.0001"), DAYS: Decimal("0.01"), RATING: Decimal("0.01")}

Measures = Mapping[str, Decimal | int]


def ratio(numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


@dataclass(frozen=True)
class Kpi:
    key: str
    label_en: str
    label_de: str
    unit: str
    higher_is_better: bool | None  # None: neither (e.g. sessions are context, not a goal)
    formula: str
    definition_en: str
    definition_de: str
    compute: Callable[[Measures], Decimal | int | None]

    @property
    def label(self) -> str:
        return self.label_de if (get_language() or "de").startswith("de") else self.label_en

    @property
    def definition(self) -> str:
        return self.definition_de if (get_language() or "de").startswith("de") else self.definition_en

    def value(self, measures: Measures) -> Decimal | int | None:
        """The KPI's value, rounded half-up to its unit (cents, four places for rates)."""
        raw = self.compute(measures)
        if raw is None:
            return None
        if self.unit == COUNT:
            return int(raw)
        return Decimal(raw).quantize(QUANT[self.unit], rounding=ROUND_HALF_UP)

    def as_json(self, value) -> int | str | None:
        if value is None or self.unit == COUNT:
            return value
        return str(value)


def _revenue(m):
    return m["revenue"]


def _net_revenue(m):
    return m["revenue"] - m["returned_value"]


def _cogs(m):
    return m["cogs_sold"] - m["cogs_restocked"]


def _gross_profit(m):
    return _net_revenue(m) - _cogs(m)


def _contribution(m):
    return _gross_profit(m) - m["shipping_cost"] - m["return_handling_cost"] - m["payment_fees"]


KPIS: tuple[Kpi, ...] = (
    Kpi("orders", "Orders", "Bestellungen", COUNT, True,
        "orders in P, not cancelled",
        "Orders placed in the period that were not cancelled.",
        "Im Zeitraum aufgegebene, nicht stornierte Bestellungen.",
        lambda m: m["orders"]),
    Kpi("units_sold", "Units sold", "Verkaufte Stück", COUNT, True,
        "Σ quantity of their lines",
        "Units on the lines of those orders.",
        "Stückzahl aller Positionen dieser Bestellungen.",
        lambda m: m["units_sold"]),
    Kpi("revenue", "Revenue", "Umsatz", MONEY, True,
        "Σ line net (net of VAT, after discounts); shipping fees excluded",
        "Net value of the lines of those orders: without VAT, after discounts, without shipping fees.",
        "Nettowert der Positionen dieser Bestellungen: ohne MwSt., nach Rabatten, ohne Versandgebühren.",
        _revenue),
    Kpi("aov", "Average order value", "Durchschnittlicher Bestellwert", MONEY, True,
        "revenue / orders",
        "Revenue per order.",
        "Umsatz je Bestellung.",
        lambda m: ratio(m["revenue"], m["orders"])),
    Kpi("returned_units", "Returned units", "Retournierte Stück", COUNT, False,
        "Σ returned quantity on return lines of orders in P",
        "Units returned from the period's orders, once the return was received and not rejected.",
        "Aus den Bestellungen des Zeitraums zurückgeschickte Stück, sobald die Retoure eingegangen und nicht abgelehnt ist.",
        lambda m: m["returned_units"]),
    Kpi("returned_value", "Returned value", "Retourenwert", MONEY, False,
        "Σ line net × returned quantity / line quantity",
        "Net value of the returned units.",
        "Nettowert der retournierten Stück.",
        lambda m: m["returned_value"]),
    Kpi("net_revenue", "Net revenue", "Nettoumsatz", MONEY, True,
        "revenue − returned_value",
        "Revenue after returns.",
        "Umsatz nach Retouren.",
        _net_revenue),
    Kpi("return_rate", "Return rate (units)", "Retourenquote (Stück)", RATE, False,
        "returned_units / units_sold",
        "Share of the units sold that came back.",
        "Anteil der verkauften Stück, die zurückkamen.",
        lambda m: ratio(m["returned_units"], m["units_sold"])),
    Kpi("return_rate_value", "Return rate (value)", "Retourenquote (Wert)", RATE, False,
        "returned_value / revenue",
        "Share of the revenue that came back.",
        "Anteil des Umsatzes, der zurückkam.",
        lambda m: ratio(m["returned_value"], m["revenue"])),
    Kpi("return_rate_orders", "Return rate (orders)", "Retourenquote (Bestellungen)", RATE, False,
        "orders in P with at least one returned unit / orders",
        "Share of the orders from which at least one unit came back.",
        "Anteil der Bestellungen, aus denen mindestens ein Stück zurückkam.",
        lambda m: ratio(m["orders_returned"], m["orders"])),
    Kpi("cogs", "Cost of goods sold", "Wareneinsatz", MONEY, False,
        "Σ quantity × unit_cost − Σ restocked returned quantity × unit_cost",
        "Net purchase cost of the units sold, less the units that came back into stock.",
        "Netto-Einstandskosten der verkauften Stück, abzüglich der wieder eingelagerten Retouren.",
        _cogs),
    Kpi("gross_profit", "Gross profit (DB I)", "Rohertrag (DB I)", MONEY, True,
        "net_revenue − cogs",
        "Net revenue less the cost of goods sold.",
        "Nettoumsatz abzüglich Wareneinsatz.",
        _gross_profit),
    Kpi("gross_margin", "Gross margin", "Rohertragsquote", RATE, True,
        "gross_profit / net_revenue",
        "Gross profit as a share of net revenue.",
        "Rohertrag im Verhältnis zum Nettoumsatz.",
        lambda m: ratio(_gross_profit(m), _net_revenue(m))),
    Kpi("contribution", "Contribution (DB II)", "Deckungsbeitrag (DB II)", MONEY, True,
        "gross_profit − shipping cost − return handling cost − payment fees",
        "Gross profit less what the carriers charged, the handling cost of returns and the payment fees.",
        "Rohertrag abzüglich Versandkosten, Retourenbearbeitung und Zahlungsgebühren.",
        _contribution),
    Kpi("contribution_after_marketing", "Contribution after marketing (DB III)",
        "Deckungsbeitrag nach Marketing (DB III)", MONEY, True,
        "contribution − Σ marketing spend on the days of P",
        "Contribution less the marketing spend of the period.",
        "Deckungsbeitrag abzüglich der Marketingausgaben des Zeitraums.",
        lambda m: _contribution(m) - m["marketing_spend"]),
    Kpi("cancellation_rate", "Cancellation rate", "Stornoquote", RATE, False,
        "cancelled orders in P / all orders in P",
        "Share of the orders placed in the period that were cancelled.",
        "Anteil der im Zeitraum aufgegebenen Bestellungen, die storniert wurden.",
        lambda m: ratio(m["orders_cancelled"], m["orders_all"])),
    Kpi("sessions", "Sessions", "Sitzungen", COUNT, None,
        "Σ sessions on the days of P",
        "Visits to the shop (from web analytics).",
        "Besuche im Shop (aus der Webanalyse).",
        lambda m: m["sessions"]),
    Kpi("conversion_rate", "Conversion rate", "Konversionsrate", RATE, True,
        "orders / sessions",
        "Orders per session.",
        "Bestellungen je Sitzung.",
        lambda m: ratio(m["orders"], m["sessions"])),
    Kpi("on_time_rate", "On-time delivery", "Pünktliche Zustellung", RATE, True,
        "shipments delivered by the promised date / shipments delivered (by delivery day)",
        "Share of the shipments delivered in the period that arrived by the promised date.",
        "Anteil der im Zeitraum zugestellten Sendungen, die bis zum zugesagten Datum ankamen.",
        lambda m: ratio(m["shipments_on_time"], m["shipments_delivered"])),
    Kpi("avg_delivery_days", "Average delivery time (days)", "Durchschnittliche Lieferzeit (Tage)", DAYS, False,
        "mean of (delivered_at − placed_at) in days, same shipments",
        "Mean time from order to delivery of the shipments delivered in the period.",
        "Mittlere Zeit von der Bestellung bis zur Zustellung der im Zeitraum zugestellten Sendungen.",
        lambda m: ratio(m["delivery_days_sum"], m["shipments_delivered"])),
    Kpi("avg_rating", "Average rating", "Durchschnittliche Bewertung", RATING, True,
        "mean rating of reviews created in P",
        "Mean star rating (1–5) of the reviews written in the period.",
        "Mittlere Sternebewertung (1–5) der im Zeitraum geschriebenen Bewertungen.",
        lambda m: ratio(m["rating_sum"], m["reviews"])),
    Kpi("csat", "Customer satisfaction (CSAT)", "Kundenzufriedenheit (CSAT)", RATE, True,
        "share of those reviews with rating ≥ 4",
        "Share of the reviews written in the period with four or five stars.",
        "Anteil der im Zeitraum geschriebenen Bewertungen mit vier oder fünf Sternen.",
        lambda m: ratio(m["reviews_positive"], m["reviews"])),
    Kpi("new_customers", "New customers", "Neukunden", COUNT, True,
        "customers whose first non-cancelled order is in P",
        "Customers who placed their first (not cancelled) order in the period.",
        "Kunden, deren erste (nicht stornierte) Bestellung im Zeitraum liegt.",
        lambda m: m["new_customers"]),
    Kpi("repeat_rate", "Repeat purchase rate", "Wiederkaufrate", RATE, True,
        "share of the customers ordering in P who had a non-cancelled order before P",
        "Share of the period's customers who had ordered before.",
        "Anteil der Kunden des Zeitraums, die schon vorher bestellt hatten.",
        lambda m: ratio(m["repeat_customers"], m["customers"])),
    Kpi("open_receivables", "Open receivables", "Offene Forderungen", MONEY, False,
        "Σ (invoice amount − payments up to the last day of P) over invoices not fully paid",
        "Invoiced amounts (gross) not yet paid at the end of the period.",
        "Zum Ende des Zeitraums noch nicht bezahlte Rechnungsbeträge (brutto).",
        lambda m: m["open_receivables"]),
    Kpi("overdue_receivables", "Overdue receivables", "Überfällige Forderungen", MONEY, False,
        "the part of open_receivables whose due_on is before the last day of P",
        "The part of the open receivables that was due before the end of the period.",
        "Der Teil der offenen Forderungen, der vor dem Ende des Zeitraums fällig war.",
        lambda m: m["overdue_receivables"]),
)

BY_KEY: dict[str, Kpi] = {kpi.key: kpi for kpi in KPIS}
KEYS: tuple[str, ...] = tuple(BY_KEY)


def compute_all(measures: Measures) -> dict[str, Decimal | int | None]:
    return {kpi.key: kpi.value(measures) for kpi in KPIS}
