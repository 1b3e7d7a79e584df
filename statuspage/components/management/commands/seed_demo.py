"""Seed demo providers, monitors and components that probe the local fake fleet (idempotent)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from monitors.models import Monitor, Provider
from statuspage.components.models import Component, ComponentGroup

# (provider name, probe kind, models flavour, API root path, chat model, (ms to first token, ms between
# tokens)); ports follow the fleet's order (monitors/fakeprovider/fleet.py).
DEMO_FLEET = [
    ("openai-sim", "openai", "openai", "/v1", "gpt-sim-mini", (350, 18)),
    ("deepseek-sim", "openai", "openai", "/v1", "deepseek-chat", (620, 30)),
    ("anthropic-sim", "anthropic", "anthropic", "", "claude-sim-haiku", (450, 22)),
    ("gemini-sim", "gemini", "gemini", "/v1beta", "gemini-sim-flash", (280, 12)),
]
DEMO_TOKENS = 24  # streamed per demo probe, so tokens per second has something to measure
DEMO_INTERVAL_S = 15
ADMIN_USER = "admin"


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser) -> None:
        parser.add_argument("--fleet-base-port", type=int, default=9101)
        parser.add_argument(
            "--no-providers", dest="providers", action="store_false", help="only the admin login"
        )

    def handle(self, *args, fleet_base_port: int, providers: bool = True, **options) -> None:
        for offset, (name, kind, flavour, path, model, pace) in enumerate(DEMO_FLEET if providers else []):
            base = f"http://127.0.0.1:{fleet_base_port + offset}"
            self._seed_provider(offset + 1, base, name, kind, flavour, path, model, pace)
        self._print_admin_login()

    def _seed_provider(self, position, base, name, kind, flavour, path, model, pace) -> None:
        provider, _ = Provider.objects.get_or_create(
            slug=name,
            defaults={
                "name": name,
                "base_url": base,
                "api_key_env": "DEMO_FLEET_API_KEY",
                "upstream_status_url": f"{base}/api/v2/summary.json",
            },
        )
        if provider.monitors.exists():
            return
        common = {"provider": provider, "interval_s": DEMO_INTERVAL_S, "timeout_s": 10, "ttft_timeout_s": 8}
        # The simulated providers take their pace from these headers (monitors/fakeprovider/faults.py):
        # time to first token and tokens per second as a real model's, faults still set by the fleet.
        ttft_ms, itl_ms = pace
        pacing = {
            "X-Fake-TTFT-Ms": str(ttft_ms),
            "X-Fake-ITL-Ms": str(itl_ms),
            "X-Fake-Tokens": str(DEMO_TOKENS),
        }
        chat = Monitor.objects.create(
            name=f"{name} chat (stream)", kind=kind, url=f"{base}{path}", model=model, stream=True,
            options={"headers": pacing}, **common,
        )  # fmt: skip
        listing = Monitor.objects.create(
            name=f"{name} models", kind="models", url=f"{base}{path}", options={"flavour": flavour}, **common
        )
        group = ComponentGroup.objects.create(name=name, position=position)
        Component.objects.create(name="Chat", group=group, position=1).monitors.set([chat])
        Component.objects.create(name="Models API", group=group, position=2).monitors.set([listing])
        Monitor.objects.create(
            name=f"{name} upstream status",
            kind="upstream",
            url=f"{base}/api/v2/summary.json",
            stream=False,
            **common,
        )
        self.stdout.write(f"seeded demo provider {name} at {base}")

    def _print_admin_login(self) -> None:
        password_file = settings.BASE_DIR / "var" / "admin-password.txt"
        User = get_user_model()
        if not User.objects.filter(username=ADMIN_USER).exists():
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser(ADMIN_USER, "admin@example.com", password)
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
        password = (
            password_file.read_text().strip()
            if password_file.exists()
            else "(set with manage.py changepassword admin)"
        )
        self.stdout.write(
            f"admin: {settings.SITE_URL}/{settings.ADMIN_URL}  user {ADMIN_USER}  password {password}"
        )
