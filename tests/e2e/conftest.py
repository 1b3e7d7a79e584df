"""Real Chromium (Debian's) driven by Playwright against Django's live server on the test database."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.snapshots import fresh_snapshot, live_settings  # noqa: F401 - fixtures

# Playwright's sync API keeps an event loop in the main thread; the ORM calls made around it are
# still synchronous (the documented pytest-django + Playwright setting).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

HERE = Path(__file__).parent
ARTIFACTS = HERE / "artifacts"
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


# Module scope, not session: the sync API keeps an event loop running in this thread while it lives,
# and later tests (the probe engine) call asyncio.run().
@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def axe():
    if not AXE.exists():
        pytest.fail(f"axe-core is missing: run `npm install` in {HERE}")

    def check(tab) -> list[dict]:
        """Serious and critical accessibility violations on the page as it is now."""
        tab.add_script_tag(path=str(AXE))
        result = tab.evaluate("axe.run(document, {resultTypes: ['violations']})")
        return [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    return check


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
