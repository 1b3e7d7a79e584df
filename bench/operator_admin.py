"""The operator's admin under a big audience: incident page and posting an update, against baselines.

Run from the repo root: `.venv/bin/python bench/operator_admin.py [--subscribers 10000] [--updates 6]`.
It uses the Postgres server of DATABASE_URL (creating and dropping a database of its own) and the Redis
of REDIS_URL (a queue of its own, deleted at the end); requests go through Django's test client, in
process, as a logged-in operator, so the figures are Django and Postgres time, no network.

1. Incident page: an incident with --updates updates, each delivered to every subscriber (sent, pending
   and dead mixed), against the same page of an incident that has no deliveries (baseline).
2. Posting an update: the admin form (validation, permission, log entry, redirect) with its outbox
   fan-out to every subscriber, against `services.post_update` doing the same fan-out (baseline).
Progress goes to stderr; the figures are the last line of stdout, as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]


def log(text: str) -> None:
    print(f"[operator_admin] {text}", file=sys.stderr, flush=True)


def configure() -> tuple[str, str]:
    """Point this process at a database of its own; return the server's admin URL and that name."""
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/statuspage")
    parts = urlsplit(url)
    name = f"statuspage_bench_operator_{os.getpid()}"
    os.environ.update(
        DATABASE_URL=urlunsplit(parts._replace(path=f"/{name}")),
        STATUSPAGE_ENV=os.environ.get("STATUSPAGE_ENV", "development"),
        DJANGO_SETTINGS_MODULE="statuspage.settings",
        ALLOWED_HOSTS="testserver",
        DELIVERY_QUEUE=f"bench-operator-{os.getpid()}",  # doorbells rung on commit land here, unread
        LOG_LEVEL="WARNING",
    )
    return urlunsplit(parts._replace(path="/postgres")), name


def database(admin_url: str, name: str, *, create: bool) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')


def timed(measured, baseline, repeats: int) -> tuple[float, float]:
    """Median milliseconds of each over `repeats` runs, after a warm-up, taken in turns so that a
    change in the machine's load meanwhile weighs on both alike."""
    samples: tuple[list[float], list[float]] = ([], [])
    for round_ in range(repeats + 1):
        for action, kept in ((measured, samples[0]), (baseline, samples[1])):
            began = time.perf_counter()
            action()
            if round_:
                kept.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples[0]), statistics.median(samples[1])


def run(options) -> dict:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from statuspage.components.models import Component
    from statuspage.incidents import services
    from statuspage.incidents.drafts import IncidentDraft, UpdateDraft
    from statuspage.operators.roles import GROUP
    from statuspage.subscriptions.models import Delivery, Subscriber

    log("migrating a fresh database")
    call_command("migrate", verbosity=0)
    chat = Component.objects.create(name="Chat API")
    now = timezone.now()
    Subscriber.objects.bulk_create(
        Subscriber(email=f"reader{i}@example.com", confirmed_at=now) for i in range(options.subscribers)
    )
    operator = User.objects.create_user("olga", is_staff=True)
    operator.groups.add(Group.objects.get(name=GROUP))
    client = Client()
    client.force_login(operator)

    log(f"an incident with {options.updates} updates to {options.subscribers} subscribers each")
    busy = services.open_incident(
        IncidentDraft(name="Busy", impact="major", body="Looking.", component_statuses={chat: "major_outage"})
    )
    for n in range(options.updates - 1):
        services.post_update(busy, UpdateDraft(status="identified", body=f"Update {n}."))
    # A realistic mix: most sent, some pending, a few dead with their error.
    deliveries = Delivery.objects.filter(update__incident=busy)
    deliveries.update(state="sent", sent_at=now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Delivery._meta.db_table} SET state = CASE WHEN id % 20 = 0 THEN 'pending' "  # noqa: S608
            "WHEN id % 97 = 0 THEN 'dead' ELSE state END, last_error = CASE WHEN id % 97 = 0 "
            "THEN 'recipient refused: 550 5.1.1 no such user' ELSE '' END"
        )
    # The baseline: the same incident, its updates sent to nobody.
    empty = services.open_incident(
        IncidentDraft(name="Empty", impact="minor", body="Looking.", component_statuses={}), notify=False
    )
    for n in range(options.updates - 1):
        services.post_update(empty, UpdateDraft(status="identified", body=f"Update {n}."), notify=False)
    # What autovacuum does after such churn (the deliveries table is set to vacuum after 2 % changed):
    # it sets the visibility map, which lets the page's counts read the index alone. --no-vacuum skips it.
    connection.cursor().execute("VACUUM ANALYZE" if options.vacuum else "ANALYZE")
    on_page = deliveries.count()

    def page(incident):
        def get() -> None:
            response = client.get(f"/admin/incidents/incident/{incident.pk}/change/")
            assert response.status_code == 200 and b"Operator activity" in response.content

        return get

    log("timing the incident page")
    busy_page, empty_page = timed(page(busy), page(empty), options.repeats)

    log("timing posting an update")

    def via_admin() -> None:
        key = uuid.uuid4().hex
        data = {
            "status": "identified",
            "body": "Still on it.",
            "notify": "on",
            "request_key": key,
            "_post": "1",
        }
        response = client.post(f"/admin/incidents/incident/{busy.pk}/post-update/", data)
        assert response.status_code == 302, response.content[:500]

    def via_service() -> None:
        services.post_update(busy, UpdateDraft(status="identified", body="Still on it."), author=operator)

    before = Delivery.objects.count()
    post_admin, post_service = timed(via_admin, via_service, options.post_repeats)
    fanned = (Delivery.objects.count() - before) // (2 * (options.post_repeats + 1))
    assert fanned == options.subscribers, f"each post should reach every subscriber, reached {fanned}"
    return {
        "subscribers": options.subscribers,
        "vacuumed": options.vacuum,
        "updates": options.updates,
        "deliveries_on_page": on_page,
        "incident_page_ms": round(busy_page, 1),
        "incident_page_baseline_ms": round(empty_page, 1),
        "incident_page_ratio": round(busy_page / empty_page, 2),
        "post_update_admin_ms": round(post_admin, 1),
        "post_update_service_ms": round(post_service, 1),
        "post_update_ratio": round(post_admin / post_service, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--updates", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--post-repeats", type=int, default=7)
    parser.add_argument("--no-vacuum", dest="vacuum", action="store_false", help="analyze only, as before")
    options = parser.parse_args()
    admin_url, name = configure()
    database(admin_url, name, create=True)
    try:
        figures = run(options)
    finally:
        import redis
        from django.conf import settings
        from django.db import connections

        connections.close_all()
        redis.Redis.from_url(settings.REDIS_URL).delete(settings.DELIVERY_QUEUE)
        database(admin_url, name, create=False)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
