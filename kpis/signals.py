"""When a category manager's categories change, their scope's facts are prepared in the background."""

from django.db import transaction
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from catalog.models import Category


@receiver(m2m_changed, sender=Category.managers.through)
def managers_changed(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        from .tasks import backfill_scopes

        transaction.on_commit(backfill_scopes.delay)
