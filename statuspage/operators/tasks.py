"""Celery tasks of what operators schedule: reminders of maintenance windows."""

from celery import shared_task
from django.utils import timezone

from statuspage.incidents import reminders


@shared_task(name="incidents.remind_maintenance", time_limit=60, soft_time_limit=50)
def remind_maintenance() -> int:
    """Periodic and idempotent: post each due reminder once."""
    return len(reminders.send_due(timezone.now()))
