"""/receivables/: open items, payments, dunning runs, letters and the collection hand-over."""
