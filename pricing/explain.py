"""A suggestion's explanation in the reader's language.

The nightly run stores the chain as codes with numbers (`rules.Step`); the text is written here
at display time, so a German reader reads German and an English reader English.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from shopmgr.core.formatting import format_money, format_percent

from .rules import Step


def to_json(steps: list[Step]) -> list[dict]:
    def plain(value):
        if isinstance(value, Decimal):
            return str(value)
        return value
    return [{"code": s.code, "values": {k: plain(v) for k, v in s.values.items()}} for s in steps]


def _money(value) -> str:
    return format_money(Decimal(str(value))) if value is not None else "–"


def _pct(value) -> str:
    return format_percent(Decimal(str(value)), 1) if value is not None else "–"


def _num(value, places: int = 2) -> str:
    from django.utils import formats

    return formats.number_format(Decimal(str(value)), places, use_l10n=True) if value is not None else "–"


def _sentence(code: str, v: dict) -> str:  # noqa: C901 — one branch per link of the chain
    if code == "no_elasticity":
        return _("Too little sales history (weeks with sales and distinct prices) for an elasticity, "
                 "neither for the product nor pooled over its category: no suggestion.")
    if code == "elasticity":
        source = _("from the product's own weekly sales") if v.get("source") == "product" else _(
            "pooled over its category (the product's own history is too short)")
        return _("Elasticity ε = %(e)s (standard error %(se)s), %(source)s: 1 %% more price, about %(pct)s %% fewer units.") % {
            "e": _num(v["elasticity"]), "se": _num(v.get("std_error")), "source": source,
            "pct": _num(abs(float(v["elasticity"])), 2)}
    if code == "too_uncertain":
        return _("The standard error %(se)s is above the limit %(max)s: too uncertain for a suggestion.") % {
            "se": _num(v.get("std_error")), "max": _num(v["max"])}
    if code == "inelastic":
        return _("ε = %(e)s is not below −1: demand reacts too little for a profit optimum (a higher price "
                 "would always look better), so no suggestion.") % {"e": _num(v["elasticity"])}
    if code == "unit_cost":
        return _("Full variable unit cost c = %(c)s net: purchase %(purchase)s + shipping share %(shipping)s + "
                 "payment fees %(payment)s + expected return cost %(returns)s (return rate %(rate)s).") % {
            "c": _money(v["unit_cost"]), "purchase": _money(v["purchase"]), "shipping": _money(v["shipping"]),
            "payment": _money(v["payment"]), "returns": _money(v["returns"]), "rate": _pct(v["return_rate"])}
    if code == "optimum":
        return _("Profit optimum p* = c·ε/(1+ε) = %(net)s net = %(gross)s gross.") % {
            "net": _money(v["optimum_net"]), "gross": _money(v["optimum_gross"])}
    if code == "competitor_high":
        return _("Competitor band: at most %(band)s above the competitors' median %(median)s, i.e. %(bound)s.") % {
            "band": _pct(v["band"]), "median": _money(v["median"]), "bound": _money(v["bound"])}
    if code == "competitor_low":
        return _("Competitor band: at most %(band)s below the competitors' median %(median)s, i.e. %(bound)s.") % {
            "band": _pct(v["band"]), "median": _money(v["median"]), "bound": _money(v["bound"])}
    if code == "ceiling":
        return _("Ceiling: never above %(factor)s × the full unit cost, i.e. %(bound)s.") % {
            "factor": _num(v["factor"], 1), "bound": _money(v["bound"])}
    if code == "step_up":
        return _("Maximum step +%(step)s from the current %(current)s caps it at %(bound)s.") % {
            "step": _pct(v["step"], ), "current": _money(v["current"]), "bound": _num(v["bound"], 3)}
    if code == "step_down":
        return _("Maximum step −%(step)s from the current %(current)s stops it at %(bound)s.") % {
            "step": _pct(v["step"]), "current": _money(v["current"]), "bound": _num(v["bound"], 3)}
    if code == "margin_floor":
        return _("Margin floor %(margin)s: not below %(bound)s gross.") % {
            "margin": _pct(v["margin"]), "bound": _money(v["bound"])}
    if code == "ending":
        return _("Price ending .%(ending)02d, rounded down: %(target)s → %(price)s.") % {
            "ending": int(v["ending"]), "target": _num(v["target"], 3), "price": _money(v["price"])}
    if code == "margin_check":
        if v.get("ok"):
            return _("Margin floor %(margin)s: %(net)s net ≥ %(floor)s, OK.") % {
                "margin": _pct(v["margin"]), "net": _money(v["net"]), "floor": _money(v["floor_net"])}
        return _("Below the margin floor %(margin)s: %(net)s net < %(floor)s; a proposal needs an override reason.") % {
            "margin": _pct(v["margin"]), "net": _money(v["net"]), "floor": _money(v["floor_net"])}
    if code == "forecast":
        return _("Forecast per week: %(q0)s → %(q1)s units, revenue %(r0)s → %(r1)s net, "
                 "contribution %(c0)s → %(c1)s.") % {
            "q0": _num(v["units_before"], 1), "q1": _num(v["units_after"], 1), "r0": _money(v["revenue_before"]),
            "r1": _money(v["revenue_after"]), "c0": _money(v["contribution_before"]),
            "c1": _money(v["contribution_after"])}
    if code == "reference_up":
        return _("30-day lowest price: %(ref)s now; a price increase sets no new low, and a reduction within "
                 "the next 30 days must still be computed from %(ref)s.") % {"ref": _money(v["reference"])}
    if code == "reference_down":
        return _("30-day lowest price: %(ref)s now; this is a reduction of %(pct)s from it, and %(price)s becomes "
                 "the new 30-day low for every reduction in the next 30 days.") % {
            "ref": _money(v["reference"]), "pct": _pct(v.get("percent")), "price": _money(v["price"])}
    if code == "reference_no_reduction":
        return _("30-day lowest price: %(ref)s now; %(price)s is below the current price but no reduction from "
                 "that low: it must not be advertised as a reduction (§11 PAngV), and the 30-day low stays "
                 "%(ref)s.") % {"ref": _money(v["reference"]), "price": _money(v["price"])}
    if code == "reference_none":
        return _("30-day lowest price: none yet (no earlier price); %(price)s becomes the reference.") % {
            "price": _money(v["price"])}
    if code == "markdown":
        return _("Slow mover: %(stock)s units in stock, %(weeks)s weeks to clear, %(r0)s units per week now; "
                 "needed %(req)s per week → smallest sufficient discount d_min = 1 − (r_req/r0)^(1/ε) = %(dmin)s, "
                 "take the %(step)s step.") % {
            "stock": v["stock"], "weeks": _num(v["weeks"], 0), "r0": _num(v["weekly_units"], 1),
            "req": _num(v["required"], 1), "dmin": _pct(v["d_min"]), "step": _pct(v["step"], )}
    if code == "markdown_revenue":
        return _("At %(step)s off: revenue %(revenue)s gross, %(left)s units left over.") % {
            "step": _pct(v["step"]), "revenue": _money(v["revenue"]), "left": _num(v["left"], 0)}
    if code == "no_price":
        return _("The product has no current price.")
    return code


def explain(steps: list[dict]) -> list[str]:
    return [_sentence(s["code"], s.get("values", {})) for s in steps]
