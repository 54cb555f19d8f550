# Quick start: `make serve` builds and serves the site, `make test` runs every example.
# Both create .venv and install requirements.txt into it on first use.

PYTHON ?= python3
# CI installs the hash-locked set: make test REQUIREMENTS=requirements.lock PIP_FLAGS=--require-hashes
REQUIREMENTS ?= requirements.txt
PIP_FLAGS ?=
VENV := .venv
BIN := $(VENV)/bin
# Quiet the "Material for MkDocs reaches end of life" banner printed on every build.
export NO_MKDOCS_2_WARNING := 1

.PHONY: install serve build test lock clean

install: $(VENV)/.installed

$(VENV)/.installed: $(REQUIREMENTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(PIP_FLAGS) -r $(REQUIREMENTS)
	touch $@

# Regenerate requirements.lock after changing requirements.txt (needs PyPI access).
lock: install
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
		--no-emit-index-url --no-emit-find-links --output-file requirements.lock requirements.txt

serve: install
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

build: install
	$(BIN)/mkdocs build --strict

test: install
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) site
