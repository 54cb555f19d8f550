# Quick start: `make serve` builds and serves the site, `make test` runs every example.
# Both create .venv and install requirements.txt into it on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Quiet the "Material for MkDocs reaches end of life" banner printed on every build.
export NO_MKDOCS_2_WARNING := 1

.PHONY: install serve build test clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

serve: install
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

build: install
	$(BIN)/mkdocs build --strict

test: install
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) site
