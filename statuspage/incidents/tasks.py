"""Celery tasks of the incidents side: maintenance windows, override expiry, quiet-period resolution."""

from celery import shared_task
from django.utils import timezone

from statuspage.incidents import automation


@shared_task(name="incidents.sweep", time_limit=60, soft_time_limit=50)
def sweep_task() -> int:
    """Periodic and idempotent: start and complete maintenance, resolve incidents that stayed quiet."""
    return len(automation.sweep(timezone.now()))
