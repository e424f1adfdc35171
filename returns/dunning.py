"""Dunning rules under German law, pure: no database, no Django models (DOMAIN §1).

Everything here takes plain values (dates, Decimals, small dataclasses) and returns plain values,
so that every rule is pinned by a table of worked examples (tests/receivables/test_dunning_rules.py).

- `default_start`: the first day of default (Verzug) under §286 BGB;
- `default_interest`: default interest under §288 BGB (simple, per day, act/365, split at every
  change of the base rate and at every part payment, rounded once at the end);
- `next_level`: the dunning level an open invoice qualifies for on a day, or why it does not;
- `check_level_days`: a level configuration must escalate (days overdue strictly increasing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from shopmgr.core.holidays import (  # noqa: F401
    easter_sunday,
    german_national_holidays,
    is_working_day,
    next_working_day,
)
from shopmgr.core.money import to_cents  # noqa: F401 (callers use dunning.to_cents)

CENT = Decimal("0.01")
DAYS_IN_YEAR = Decimal(365)  # act/365, also in leap years (DOMAIN §1.2 convention)
# §288(1) and (2) BGB: percentage points above the base rate (§247 BGB).
CONSUMER_POINTS = Decimal(5)
BUSINESS_POINTS = Decimal(9)
# §288(5) BGB: flat fee per claim against a business debtor in default; never against a consumer.
BUSINESS_FLAT_FEE = Decimal("40.00")
# §286(3) BGB: 30 days after due date and receipt of the invoice.
THIRTY_DAY_RULE = 30


class DunningRuleError(ValueError):
    """A configuration or input the rules cannot work with (the message says why)."""


class LevelOrderError(DunningRuleError):
    """A level does not start later than the level before it (its parts let callers translate)."""

    def __init__(self, *, number: int, days: int, previous: int, previous_days: int):
        self.number, self.days, self.previous, self.previous_days = number, days, previous, previous_days
        super().__init__(
            f"level {number} must start later than level {previous}: "
            f"{days} days overdue is not more than {previous_days}"
        )


# --- Working days (§193 BGB) -------------------------------------------------------------------

def public_holidays(year: int) -> set[dt.date]:
    """Germany's nationwide public holidays (regional ones are not counted; see docs/receivables.md)."""
    return set(german_national_holidays(year))


# --- §286 BGB: when does default start ------------------------------------------------------------

def thirty_day_default_start(*, due_on: dt.date, received_on: dt.date) -> dt.date:
    """§286(3) BGB: 30 days after due date and receipt; count from the day after (§187(1)), the
    last day moves off weekends and holidays (§193), default starts the day after the last day.

    DOMAIN example: received and due 03.03.2025 → last day 02.04.2025 → default from 03.04.2025.
    """
    start = max(due_on, received_on)
    last_day = next_working_day(start + dt.timedelta(days=THIRTY_DAY_RULE))
    return last_day + dt.timedelta(days=1)


def default_start(
    *,
    due_on: dt.date,
    received_on: dt.date,
    is_consumer: bool,
    has_286_notice: bool,
    reminders_received_on: Iterable[dt.date] = (),
) -> dt.date | None:
    """The first day of default under §286 BGB (None: not in default at all): the earliest of

    1. the day after a reminder sent after the due date was received (§286(1); any clear demand,
       a friendly payment reminder included);
    2. the 30-day rule (§286(3)), against a consumer only when the invoice carried the notice.

    A date merely printed on the invoice is no calendar date under §286(2) Nr. 1 (BGH III ZR 91/07),
    so it never counts here.
    """
    candidates = [day + dt.timedelta(days=1) for day in reminders_received_on if day > due_on]
    if not is_consumer or has_286_notice:
        candidates.append(thirty_day_default_start(due_on=due_on, received_on=received_on))
    return min(candidates, default=None)


# --- §288 BGB: default interest --------------------------------------------------------------------

@dataclass(frozen=True)
class BaseRate:
    valid_from: dt.date
    rate: Decimal  # percent, e.g. Decimal("3.37")


@dataclass(frozen=True)
class Payment:
    paid_on: dt.date
    amount: Decimal


@dataclass(frozen=True)
class InterestSegment:
    start: dt.date  # first day with interest
    end: dt.date  # last day with interest (inclusive)
    principal: Decimal
    base_rate: Decimal
    rate: Decimal  # base rate + points, percent
    interest: Decimal  # unrounded

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Interest:
    amount: Decimal  # rounded once, half-up to cents
    segments: tuple[InterestSegment, ...] = ()
    points: Decimal = CONSUMER_POINTS
    missing_base_rates: tuple[dt.date, ...] = ()  # 1 Jan / 1 Jul in the period without a table row

    @property
    def start(self) -> dt.date | None:
        return self.segments[0].start if self.segments else None

    @property
    def end(self) -> dt.date | None:
        return self.segments[-1].end if self.segments else None


def points_for(*, is_consumer: bool) -> Decimal:
    """§288(1)/(2) BGB: base rate + 5 points with a consumer involved, + 9 points between businesses."""
    return CONSUMER_POINTS if is_consumer else BUSINESS_POINTS


def half_years(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every 1 January and 1 July in (start, end]: the days the base rate may change (§247(1))."""
    days = []
    for year in range(start.year, end.year + 1):
        for month in (1, 7):
            day = dt.date(year, month, 1)
            if start < day <= end:
                days.append(day)
    return days


def base_rate_on(day: dt.date, rates: Sequence[BaseRate]) -> BaseRate:
    valid = [r for r in rates if r.valid_from <= day]
    if not valid:
        raise DunningRuleError(f"no base rate valid on {day.isoformat()}: enter it in the base-rate table")
    return max(valid, key=lambda r: r.valid_from)


def default_interest(
    *,
    principal: Decimal,
    default_from: dt.date | None,
    until: dt.date,
    is_consumer: bool,
    rates: Sequence[BaseRate],
    payments: Iterable[Payment] = (),
) -> Interest:
    """Default interest under §288 BGB owed if the debt were paid on `until`.

    Z = Σ_k P_k · (BZ_k + s) / 100 · d_k / 365 with s = 5 (consumer) or 9 (business).
    Interest runs from the first day of default to the day *before* the money is credited (so a
    payment on day p ends a segment on p − 1 and lowers the principal from p on); segments split at
    every 1 January / 1 July and at every base-rate row; the total is rounded once, half-up. No
    interest on interest (§289), no VAT. Part payments reduce the principal (see docs/receivables.md:
    the creditor claims no more than §367 would allow).
    """
    points = points_for(is_consumer=is_consumer)
    if default_from is None or until <= default_from:
        return Interest(amount=Decimal("0.00"), points=points)
    payments = sorted(payments, key=lambda p: p.paid_on)
    # The principal still open on the first day of default: payments before then already count.
    open_principal = Decimal(principal) - sum((p.amount for p in payments if p.paid_on <= default_from), Decimal(0))
    later = [p for p in payments if default_from < p.paid_on < until]
    cuts = set(half_years(default_from, until - dt.timedelta(days=1)))
    cuts |= {r.valid_from for r in rates if default_from < r.valid_from < until}
    cuts |= {p.paid_on for p in later}
    bounds = [default_from, *sorted(cuts), until]
    known = {r.valid_from for r in rates}
    missing = tuple(day for day in half_years(default_from, until - dt.timedelta(days=1)) if day not in known)
    segments = []
    total = Decimal(0)
    for start, stop in zip(bounds, bounds[1:], strict=False):
        open_principal -= sum((p.amount for p in later if p.paid_on == start), Decimal(0))
        if stop <= start or open_principal <= 0:
            continue
        base = base_rate_on(start, rates).rate
        rate = base + points
        days = (stop - start).days
        interest = open_principal * rate / Decimal(100) * Decimal(days) / DAYS_IN_YEAR
        segments.append(InterestSegment(
            start=start, end=stop - dt.timedelta(days=1), principal=to_cents(open_principal),
            base_rate=base, rate=rate, interest=interest,
        ))
        total += interest
    return Interest(amount=to_cents(total), segments=tuple(segments), points=points, missing_base_rates=missing)


def business_flat_fee(*, is_consumer: bool, in_default: bool) -> Decimal:
    """§288(5) BGB: 40 € once per claim against a business debtor in default; never for consumers."""
    return BUSINESS_FLAT_FEE if (in_default and not is_consumer) else Decimal("0.00")


# --- Dunning levels ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Level:
    number: int
    days_overdue: int
    min_open_amount: Decimal = Decimal("0.00")
    min_interval_days: int = 0
    fee: Decimal = Decimal("0.00")


def check_level_days(levels: Sequence[Level]) -> None:
    """Levels escalate: ordered by number, their days overdue must strictly increase."""
    ordered = sorted(levels, key=lambda lv: lv.number)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.days_overdue <= before.days_overdue:
            raise LevelOrderError(
                number=after.number, days=after.days_overdue, previous=before.number,
                previous_days=before.days_overdue,
            )


class Reason:
    """Why an open invoice gets no notice in a run (codes of the CSV's blocked_reason column)."""

    NOT_DUE = "not_due"
    TOO_EARLY = "too_early"
    INTERVAL = "min_interval"
    BELOW_MINIMUM = "below_minimum"
    LAST_LEVEL = "last_level"
    DISPUTE = "dispute"
    OPEN_RETURN = "open_return"


@dataclass(frozen=True)
class Decision:
    level: Level | None
    days_overdue: int
    reason: str = ""  # a Reason code when level is None


@dataclass
class Claim:
    """What an open invoice is asked to pay on a day: the figures of one proposal line / notice."""

    open_amount: Decimal
    fee: Decimal  # every fee claimed: earlier notices' fees + this level's fee + the B2B flat fee
    interest: Interest
    total: Decimal
    level_fee: Decimal = Decimal("0.00")
    earlier_fees: Decimal = Decimal("0.00")
    flat_fee: Decimal = Decimal("0.00")
    default_from: dt.date | None = None
    extra: dict = field(default_factory=dict)


def next_level(
    *,
    levels: Sequence[Level],
    due_on: dt.date,
    as_of: dt.date,
    open_amount: Decimal,
    last_level_number: int | None,
    last_notice_on: dt.date | None,
    blocked: str = "",
) -> Decision:
    """The next level an open invoice qualifies for on `as_of` (DOMAIN §1.5 portal rule).

    Level n applies if days overdue ≥ its days ∧ days since the last notice ≥ its interval ∧ open
    amount ≥ its minimum ∧ not blocked. Levels are never skipped: after level k only k + 1 comes.
    """
    days_overdue = (as_of - due_on).days
    if blocked:
        return Decision(level=None, days_overdue=days_overdue, reason=blocked)
    if days_overdue <= 0:
        return Decision(level=None, days_overdue=days_overdue, reason=Reason.NOT_DUE)
    ordered = sorted(levels, key=lambda lv: lv.number)
    later = [lv for lv in ordered if last_level_number is None or lv.number > last_level_number]
    if not later:
        return Decision(level=None, days_overdue=days_overdue, reason=Reason.LAST_LEVEL)
    level = later[0]
    if days_overdue < level.days_overdue:
        return Decision(level=None, days_overdue=days_overdue, reason=Reason.TOO_EARLY)
    # A notice dated after `as_of` (a backdated run) also waits: never a level before its predecessor.
    if last_notice_on is not None and (
        last_notice_on > as_of or (as_of - last_notice_on).days < level.min_interval_days
    ):
        return Decision(level=None, days_overdue=days_overdue, reason=Reason.INTERVAL)
    if open_amount < level.min_open_amount:
        return Decision(level=None, days_overdue=days_overdue, reason=Reason.BELOW_MINIMUM)
    return Decision(level=level, days_overdue=days_overdue)


def claim_for(
    *,
    amount: Decimal,
    payments: Sequence[Payment],
    as_of: dt.date,
    default_from: dt.date | None,
    is_consumer: bool,
    rates: Sequence[BaseRate],
    level_fee: Decimal,
    earlier_fees: Decimal,
) -> Claim:
    """The claim on `as_of`: open principal, fees (no VAT), default interest (no VAT), total."""
    paid = sum((p.amount for p in payments if p.paid_on <= as_of), Decimal(0))
    open_amount = to_cents(Decimal(amount) - paid)
    interest = default_interest(
        principal=amount, default_from=default_from, until=as_of, is_consumer=is_consumer, rates=rates,
        payments=[p for p in payments if p.paid_on <= as_of],
    )
    in_default = default_from is not None and default_from <= as_of
    flat = business_flat_fee(is_consumer=is_consumer, in_default=in_default)
    fee = to_cents(level_fee + earlier_fees + flat)
    return Claim(
        open_amount=open_amount, fee=fee, interest=interest, total=open_amount + fee + interest.amount,
        level_fee=to_cents(level_fee), earlier_fees=to_cents(earlier_fees), flat_fee=flat,
        default_from=default_from if in_default else None,
    )
