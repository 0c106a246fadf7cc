# Two commands: `make run` (set up, run the historical baseline with its figures) and
# `make test` (set up, run the whole test suite).  The virtual environment is made on first use.
PYTHON ?= python3.12
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# pyenv shims answer `python3.12` only when 3.12 is selected; fall back to the installed 3.12.
PYTHON_BIN := $(shell $(PYTHON) -c 'import sys; print(sys.executable)' 2>/dev/null || \
	PYENV_VERSION=$$(pyenv versions --bare 2>/dev/null | grep -E '^3\.12' | tail -1) \
	$(PYTHON) -c 'import sys; print(sys.executable)' 2>/dev/null)

.PHONY: run test bench lint clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON_BIN)" || { echo "error: Python 3.12 not found; run make PYTHON=/path/to/python3.12" >&2; exit 1; }
	@test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

run: $(STAMP)
	$(VENV)/bin/draftsim run --scenario baseline

test: $(STAMP)
	$(PY) -m pytest -q -n auto --dist loadfile

bench: $(STAMP)
	$(PY) benchmarks/bench_model.py
	$(PY) benchmarks/bench_sweep.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) build *.egg-info
