"""Per-username backoff on admin sign-in: guesses spread over many addresses slow to a trickle.

django-axes blocks an address (an IPv6 /64) after ADMIN_LOGIN_FAILURE_LIMIT failures. An attacker with
many addresses is not stopped by that, so failures for one username, from anywhere, are counted too:
past ADMIN_LOGIN_USERNAME_BACKOFF_AFTER of them, each try must wait twice as long as the one before
(1 s, 2 s, 4 s, ... up to the cool-off). The operator is slowed, never locked out for long.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum


def wait_needed(username: str, now: datetime) -> timedelta:
    """How long `username` must still wait before its next try (zero when it may try now)."""
    cooloff: timedelta = settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(username=username, attempt_time__gte=now - cooloff).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    over = (recent["failures"] or 0) - settings.ADMIN_LOGIN_USERNAME_BACKOFF_AFTER
    if over < 0:
        return timedelta(0)
    wait = min(timedelta(seconds=2 ** min(over, 30)), cooloff)
    return max(recent["last"] + wait - now, timedelta(0))
