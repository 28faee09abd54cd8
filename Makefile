# Two entry points for a fresh machine: `make demo` (install + run the nightly job on data/sample)
# and `make test` (install + run the test suite). Everything else is a building block.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export PREFECT_HOME ?= $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: demo test install system-deps bench clean

demo: install
	$(BIN)/cxmining run --landing data/sample --db cxmining.duckdb --out out
	$(BIN)/cxmining sql "SELECT source, status, count(*) AS files, sum(rows_read) AS read, sum(rows_loaded) AS loaded, sum(rows_quarantined) AS quarantined, sum(rows_duplicate) AS duplicates FROM ingested_files GROUP BY ALL ORDER BY 1" --db cxmining.duckdb
	$(BIN)/cxmining sql "SELECT lane, activity, count(*) AS events FROM events GROUP BY ALL ORDER BY lane, events DESC" --db cxmining.duckdb --max-rows 60

test: install
	$(BIN)/python -m pytest

install: $(VENV)/.installed system-deps

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("cxmining needs Python >= 3.11, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Graphviz's `dot` draws process maps (pm4py); Chromium runs the explorer's browser test (tests/test_explore.py) and
# renders reports to PNG. Both installed from Debian packages when we are root.
system-deps:
	@missing=""; command -v dot >/dev/null 2>&1 || missing="graphviz"; \
	  test -x /usr/bin/chromium || missing="$$missing chromium"; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null); \
	    else echo "note: not installed: $$missing (Debian/Ubuntu: sudo apt-get install $$missing); without graphviz no process maps are drawn, without chromium the browser test is skipped"; fi; \
	  fi

bench: install
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/mining.py --store bench/results/bench.duckdb --work bench/results/mining

clean:
	rm -rf $(VENV) .prefect out cxmining.duckdb cxmining.duckdb.wal cxmining.duckdb.run-lock .cxmining.duckdb.night cxmining.snapshot.duckdb .pytest_cache
