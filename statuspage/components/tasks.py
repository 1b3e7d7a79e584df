"""Celery tasks of the status side: turn monitor state changes into component status."""

from celery import shared_task
from django.utils import timezone

from statuspage.components.propagation import BATCH, propagate


@shared_task(name="components.propagate", time_limit=60, soft_time_limit=50)
def propagate_task() -> int:
    """Doorbell from the monitors side, and a periodic sweep for doorbells that were lost."""
    total = 0
    while True:
        processed, changed = propagate(timezone.now())
        total += len(changed)
        if processed < BATCH:
            return total
