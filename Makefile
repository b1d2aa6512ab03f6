# Jisr — the two commands: `make demo` and `make test`. Everything else is set up from here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Reinstall whenever the lock or pyproject.toml changes.
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)
PYTEST_WORKERS ?= 2
# bash with pipefail: a failure inside a piped recipe line fails the target.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c

.PHONY: install lint fmt test demo bench browser fonts screenshots clean lock audit-deps

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		(echo "Python >= 3.11 is required (set PYTHON=...)" >&2; exit 1)
	$(PYTHON) -m venv $(VENV)

# Every dependency comes from requirements.lock, pinned with hashes (`make lock` rewrites it).
# PyICU has no binary wheel: pip compiles it once per machine (a few minutes, shown below) and
# keeps the wheel in its cache, so later installs take seconds.
$(STAMP): pyproject.toml requirements.lock | $(BIN)/python
	@echo "jisr: installing the locked dependencies into $(VENV) (requirements.lock, hashes checked)"
	$(BIN)/python -m pip install --require-hashes --no-deps --progress-bar on \
		--no-input -r requirements.lock 2>&1 | grep --line-buffered -v "^WARNING: Location"
	$(BIN)/python -m pip check
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

lint: install
	$(BIN)/ruff check jisr tests benchmarks
	$(BIN)/ruff format --check jisr tests benchmarks
	$(BIN)/mypy --strict jisr
	$(BIN)/lint-imports

fmt: install
	$(BIN)/ruff check --fix jisr tests benchmarks
	$(BIN)/ruff format jisr tests benchmarks

# Debian's Chromium for the browser tests (Playwright drives it; no browser download) and
# axe-core from npm (tests/browser/package-lock.json) for their accessibility checks.
browser:
	@if grep -rqs "pytest.mark.browser" tests; then \
		command -v chromium >/dev/null 2>&1 || { \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }; \
		test -f tests/browser/node_modules/axe-core/axe.min.js || \
			npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error; \
	fi

# Fonts with Arabic glyphs for the signed PDF reports (WeasyPrint lays text out with Pango and
# HarfBuzz): Debian's Noto (Noto Naskh Arabic) and DejaVu, and Pango, installed by name if missing.
fonts:
	@fc-list 2>/dev/null | grep -qs "Noto Naskh Arabic" || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends fonts-noto-core fonts-dejavu-core libpango-1.0-0 \
			libpangoft2-1.0-0; }

# Browser tests share one demo world per worker: keep them on one worker (loadgroup).
test: lint browser fonts
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -q --durations=30

# Screenshots of the main console pages in Arabic and French, for the README.
screenshots: install browser
	JISR_SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest -q -p no:xdist tests/browser

demo: install fonts
	$(BIN)/jisr demo

# Rewrite the lock from pyproject.toml (needs the package index).
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet uv==0.13.9
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
		-q -o requirements.lock

# Known vulnerabilities in the locked dependencies (needs an advisory database: PyPI's JSON API
# or OSV). --strict: a dependency that could not be checked is a failure, not a pass.
audit-deps: install
	$(BIN)/pip-audit --strict --require-hashes --disable-pip --progress-spinner off \
		-r requirements.lock

bench: install
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) demo-data .mypy_cache .ruff_cache .pytest_cache
