"""Receivables follow-up: dunning levels, base rates, runs, notices and the hand-over (DOMAIN §1)."""

__all__: list[str] = []
