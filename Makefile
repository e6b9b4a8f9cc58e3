# Two entry points for a fresh machine: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test venv venv-dev chromium lint demo-data bench

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed
venv-dev: $(VENV)/.installed-dev

data/variance.csv data/trap.csv: | $(VENV)/.installed
	$(PY) -m core demo-data --out data

demo-data: data/variance.csv data/trap.csv

## Install, make the demo data if missing, start the dashboard on 127.0.0.1.
run: $(VENV)/.installed demo-data
	@echo "Dashboard: http://127.0.0.1:$(PORT)"
	$(PY) -m streamlit run streamlit_app.py --server.address 127.0.0.1 \
	  --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

## Debian's Chromium for the browser tests (Playwright drives it; never downloads browsers).
chromium:
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium chromium-driver)

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check .

## Install everything the tests need and run the whole suite (ruff + pytest, browser tests included).
test: $(VENV)/.installed-dev chromium
	$(PY) -m ruff check .
	$(PY) -m pytest -n 2 --dist loadgroup

bench: $(VENV)/.installed-dev
	for f in benchmarks/bench_*.py; do $(PY) $$f || exit 1; done
