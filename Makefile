# Two commands set everything up: `make demo` and `make test`. Both are idempotent.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test install clean browser test-deps screenshot

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/kg build examples/mosul.txt -o out
	@echo "Open the interactive view in a browser: $(CURDIR)/out/graph.html"

test: $(TEST_STAMP) browser test-deps
	$(BIN)/python -m pytest

# docs/view.png, the README's picture of the view, taken by the browser test (a test run alone leaves it be)
screenshot: $(TEST_STAMP) browser
	KG_SCREENSHOT=$(CURDIR)/docs/view.png $(BIN)/python -m pytest -q tests/test_browser.py -k screenshot

# Headless Chromium for tests/test_browser.py, from Debian's packages where it is missing (never a browser
# download): root runs apt-get itself, anyone else through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core </dev/null; }

# What tests/test_interop.py runs besides the Oxigraph server (a test extra, from PyPI), from Debian's
# packages where missing: Virtuoso (virtuoso-t, isql-vt), Apache Jena (riot) and a Java runtime for it.
test-deps:
	@missing=""; \
	{ command -v virtuoso-t && command -v isql-vt; } >/dev/null 2>&1 || missing="$$missing virtuoso-opensource-7-bin"; \
	dpkg-query -W -f='$${Status}' libapache-jena-java 2>/dev/null | grep -q "ok installed" \
	  || missing="$$missing libapache-jena-java"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages for the interoperability tests:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing </dev/null; \
	fi

clean:
	rm -rf $(VENV) out
