"""/metrics: Prometheus text exposition of status, outcomes and latency histograms."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date

import pytest

from monitors.history import histogram
from monitors.models import DailyRollup
from tests.histograms import to_json

SAMPLE = re.compile(
    r'^[a-z_]+(\{([a-z_]+="([^"\\]|\\.)*",?)*\})? -?[0-9.e+]+$|^[a-z_]+\{.*le="\+Inf".*\} \d+$'
)


@pytest.fixture
def scraped(client, make_component, make_monitor):
    monitor = make_monitor(name='chat "stream"\nv2', status="down")
    make_component("Chat", status="major_outage", monitors=[monitor])
    for day, ok, errors in ((date(2026, 5, 1), 90, 10), (date(2026, 5, 2), 100, 0)):
        DailyRollup.objects.create(
            monitor=monitor, region="eu", day=day, probes=ok + errors,
            outcomes={"ok": ok, **({"server_error": errors} if errors else {})},
            total=to_json({histogram.bucket(400): ok // 2, histogram.bucket(3000): ok - ok // 2}),
            ttft=to_json({histogram.bucket(200): ok}),
        )  # fmt: skip
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    return response.content.decode()


def test_every_line_is_a_comment_or_a_well_formed_sample(scraped):
    for line in scraped.strip().splitlines():
        assert line.startswith("# HELP ") or line.startswith("# TYPE ") or SAMPLE.match(line), line


def test_status_is_a_state_set_with_one_true_value(scraped):
    component = [line for line in scraped.splitlines() if line.startswith("statuspage_component_status{")]
    assert len(component) == 5
    assert [line for line in component if line.endswith(" 1")] == [
        next(line for line in component if 'status="major_outage"' in line)
    ]
    assert 'monitor="chat \\"stream\\"\\nv2"' in scraped  # label values escaped


def test_outcomes_are_counters_summed_over_the_daily_rollups(scraped):
    assert re.search(r'statuspage_probe_results_total\{[^}]*outcome="ok"\} 190$', scraped, re.M)
    assert re.search(r'statuspage_probe_results_total\{[^}]*outcome="server_error"\} 10$', scraped, re.M)


def test_latency_is_a_cumulative_histogram_in_seconds(scraped):
    def bucket(le: str) -> int:
        match = re.search(
            rf'statuspage_probe_latency_seconds_bucket\{{[^}}]*le="{re.escape(le)}"\}} (\d+)', scraped
        )
        return int(match[1])

    assert bucket("0.25") == 0 and bucket("0.5") == 95 and bucket("2.5") == 95 and bucket("5") == 190
    assert bucket("+Inf") == 190
    assert re.search(r"statuspage_probe_latency_seconds_count\{[^}]*\} 190$", scraped, re.M)
    assert re.search(r'statuspage_probe_ttft_seconds_bucket\{[^}]*le="0.25"\} 190$', scraped, re.M)


def test_promtool_finds_the_exposition_valid_and_lint_free(scraped):
    promtool = shutil.which("promtool")
    if promtool is None:  # .ci/run and `make .venv/.test-deps` install Debian's prometheus package
        pytest.fail("promtool is missing: apt-get install prometheus")
    result = subprocess.run(
        [promtool, "check", "metrics"], input=scraped, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_probe_cost_is_a_gauge_per_priced_monitor(client, make_monitor):
    make_monitor(name="priced", options={"price_per_mtok": {"input": 0.15, "output": 0.60}})
    make_monitor(name="listing", kind="models")
    body = client.get("/metrics").content.decode()
    assert "# TYPE statuspage_probe_cost_usd_monthly gauge" in body
    costs = [line for line in body.splitlines() if line.startswith("statuspage_probe_cost_usd_monthly{")]
    assert len(costs) == 1 and 'monitor="priced"' in costs[0]
    assert costs[0].endswith(" 0.07776")  # 43,200 probes x (8 x 0.15 + 1 x 0.60) / 1M
