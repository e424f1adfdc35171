"""Day × product × reason × channel facts of returns, for the return analytics (docs/return-analytics.md).

Imported at the end of kpis/models.py, so the model belongs to the kpis app.
"""

from django.db import models

# Shares and money kept like the other facts: ten places, rounded once when read.
MONEY = {"max_digits": 28, "decimal_places": 10, "default": 0}


class DailyReturnFact(models.Model):
    """Returned units of one product for one reason, on the Berlin day their order was placed.

    Cohort view (DESIGN §4): a unit counts once its return is received and not rejected, on the
    order's day and channel; cancelled orders count nowhere. Filled by
    `kpis.return_facts.compute_return_range` inside the metrics job. Every measure adds up over
    days, channels, reasons and products, so a period's figures for any set of products are sums.
    """

    day = models.DateField()
    # No index of their own on the two keys: the reads go by day, and so does the one key below
    # (a day's recompute deletes and inserts one contiguous stretch of it; led by the product, a
    # day's rows landed on as many leaf pages as products); every index costs the nightly insert.
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+", db_index=False)
    reason = models.ForeignKey("returns.ReturnReason", on_delete=models.CASCADE, related_name="+", db_index=False)
    channel = models.CharField(max_length=32)
    returned_units = models.IntegerField(default=0)
    # Σ line net × returned quantity / line quantity, each return line rounded to four places.
    returned_value = models.DecimalField(**MONEY)
    return_lines = models.IntegerField(default=0)
    # Returns with at least one such line (a return of two products counts for each).
    returns = models.IntegerField(default=0)
    # A return's share of one handling (its returned value's share; by units if it has no value):
    # the shares of a return add up to one, so Σ shares × KPI_RETURN_HANDLING_COST is the handling
    # cost charged to the products that came back.
    returns_share = models.DecimalField(**MONEY)
    # Orders with a returned unit of the product, counted once per (order, product) at its lowest
    # reason id: Σ over reasons is the product's orders with a return.
    orders_returned = models.IntegerField(default=0)
    restocked_units = models.IntegerField(default=0)
    refurbished_units = models.IntegerField(default=0)
    to_supplier_units = models.IntegerField(default=0)
    written_off_units = models.IntegerField(default=0)
    # unit cost (net, at the time of sale) × written-off quantity
    written_off_cost = models.DecimalField(**MONEY)
    refunded = models.DecimalField(**MONEY)  # Σ refund amounts (gross) of the return lines

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "product", "reason", "channel"], name="daily_return_fact_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.product_id} {self.reason_id} {self.channel}"
