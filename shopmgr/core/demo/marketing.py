"""Traffic (sessions per day and channel) and marketing spend (net EUR per day, channel, campaign).

Both follow the expected orders of a day, not the drawn ones, so that the conversion rate
(orders / sessions) moves a little from day to day like a real one, around 2-3 %.
"""

from __future__ import annotations

from .catalog import cents_to_decimal
from .timeline import Timeline

TRAFFIC_FIELDS = ("id", "date", "channel", "sessions")
SPEND_FIELDS = ("id", "date", "channel", "campaign_code", "amount")

# Share of orders per channel (see orders.CHANNELS_*) and conversion rate (orders / sessions).
CHANNEL_SHARE = {"webshop": 0.61, "app": 0.20, "marketplace": 0.19}
CONVERSION = {"webshop": 0.020, "app": 0.032, "marketplace": 0.025}
PEAK_CONVERSION_FACTOR = 1.15  # visitors in November and December come to buy
# Always-on spend (search ads, social, marketplace ads) as a share of expected net revenue.
SPEND_RATE = {"webshop": 0.06, "app": 0.04, "marketplace": 0.09}
AVERAGE_ORDER_NET_CENTS = 10500
NEWSLETTER_COST_CENTS = 15_000  # per mailing (Tuesdays) at 1,000 orders a day
CAMPAIGN_CHANNELS = ("webshop", "app")


def traffic_rows(*, tl: Timeline, expected: list[float], rng):
    row_id = 0
    for day, date in enumerate(tl.dates):
        peak = PEAK_CONVERSION_FACTOR if date.month in (11, 12) else 1.0
        for channel, share in CHANNEL_SHARE.items():
            sessions = expected[day] * share / (CONVERSION[channel] * peak) * (1 + rng.gauss(0.0, 0.05))
            row_id += 1
            yield (row_id, date, channel, max(1, round(sessions)))


def spend_rows(*, tl: Timeline, expected: list[float], rng):
    campaigns_by_day: dict[int, list] = {}
    for c in tl.campaigns:
        for day in range(c.first, c.last + 1):
            campaigns_by_day.setdefault(day, []).append(c)
    row_id = 0
    for day, date in enumerate(tl.dates):
        scale = expected[day] / 1000.0
        for channel, share in CHANNEL_SHARE.items():
            cents = expected[day] * share * AVERAGE_ORDER_NET_CENTS * SPEND_RATE[channel]
            cents *= 1 + rng.gauss(0.0, 0.1)
            row_id += 1
            yield (row_id, date, channel, "", cents_to_decimal(max(100, round(cents))))
        for c in campaigns_by_day.get(day, ()):
            for channel in CAMPAIGN_CHANNELS:
                cents = c.daily_budget_cents * scale * (0.7 if channel == "app" else 1.0)
                cents *= 1 + rng.gauss(0.0, 0.1)
                row_id += 1
                yield (row_id, date, channel, c.code, cents_to_decimal(max(100, round(cents))))
        if date.weekday() == 1:
            cents = NEWSLETTER_COST_CENTS * scale * (1 + rng.gauss(0.0, 0.05))
            row_id += 1
            yield (row_id, date, "webshop", "NEWSLETTER", cents_to_decimal(max(100, round(cents))))
