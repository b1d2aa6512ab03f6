# Jisr — the two commands: `make demo` and `make test`. Everything else is set up from here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Reinstall whenever pyproject.toml changes.
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PYTEST_WORKERS ?= 2

.PHONY: install lint fmt test demo bench browser screenshots clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		(echo "Python >= 3.11 is required (set PYTHON=...)" >&2; exit 1)
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
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

# Browser tests share one demo world per worker: keep them on one worker (loadgroup).
test: lint browser
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup -q

# Screenshots of the main console pages in Arabic and French, for the README.
screenshots: install browser
	JISR_SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest -q -p no:xdist tests/browser

demo: install
	$(BIN)/jisr demo

bench: install
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) demo-data .mypy_cache .ruff_cache .pytest_cache
