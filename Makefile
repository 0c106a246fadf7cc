# Two commands: `make run` (set up what running needs, run the historical baseline with its figures) and
# `make test` (add the test tools, run the whole test suite).  The virtual environment is made on first use;
# each install has its own stamp, so `make run` never pulls in pytest, Playwright or Dask.
PYTHON ?= python3.12
VENV   := .venv
PY     := $(VENV)/bin/python
RUN_STAMP  := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

# pyenv shims answer `python3.12` only when 3.12 is selected; fall back to the installed 3.12.
PYTHON_BIN := $(shell $(PYTHON) -c 'import sys; print(sys.executable)' 2>/dev/null || \
	PYENV_VERSION=$$(pyenv versions --bare 2>/dev/null | grep -E '^3\.12' | tail -1) \
	$(PYTHON) -c 'import sys; print(sys.executable)' 2>/dev/null)

CHROMIUM := /usr/bin/chromium

.PHONY: run test bench lint clean viz

$(RUN_STAMP): pyproject.toml
	@test -n "$(PYTHON_BIN)" || { echo "error: Python 3.12 not found; run make PYTHON=/path/to/python3.12" >&2; exit 1; }
	@test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(TEST_STAMP): $(RUN_STAMP) pyproject.toml
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

run: $(RUN_STAMP)
	$(VENV)/bin/draftsim run --scenario baseline --figures

# The browser tests drive Debian's chromium (Playwright cannot download its own browser here).
$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "error: the browser tests need Chromium at $(CHROMIUM) (Debian: apt-get install chromium)" >&2; exit 1; }
	$(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq chromium >/dev/null

test: $(TEST_STAMP) $(CHROMIUM)
	$(PY) -m pytest -q -n auto --dist loadfile

viz: $(RUN_STAMP)
	$(VENV)/bin/draftsim viz

bench: $(TEST_STAMP) $(CHROMIUM)   # bench_viz drives Chromium through Playwright
	$(PY) benchmarks/bench_scale.py
	$(PY) benchmarks/bench_sweep.py
	$(PY) benchmarks/bench_calibrate.py
	$(PY) benchmarks/bench_viz.py

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) build *.egg-info
