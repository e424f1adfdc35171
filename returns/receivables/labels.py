"""Readable labels for the reason codes of the proposal (the CSV keeps the codes)."""

from django.utils.translation import gettext_lazy as _

REASON_LABELS = {
    "not_due": _("not due yet"),
    "too_early": _("not overdue long enough for the next level"),
    "min_interval": _("last notice too recent"),
    "below_minimum": _("open amount below the level's minimum"),
    "last_level": _("last level reached: hand over"),
    "dispute": _("disputed"),
    "open_return": _("open return on the order"),
    "no_longer_open": _("no longer open"),
}


def reason_label(code: str):
    return REASON_LABELS.get(code, code) if code else ""
