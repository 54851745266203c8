# regdraft developer entry points (GNU make). Everything runs from the virtualenv in
# .venv, which the targets create (python3 -m venv) and fill (pip install -e '.[test]')
# when it is missing; it is reinstalled only when pyproject.toml changes.
#
#   make run        load drafts/ and amendments/ into the database, print an admin token, serve the API
#   make test       the test suite on every core (TEST_WORKERS=0 for one process; PYTEST_ARGS="-k foo -x")
#   make openapi    write api/openapi.json
#   make bench      every benchmark of docs/performance.md (about 10 minutes; BENCH_ARGS=--quick)
#   make revision MESSAGE="add thing"   autogenerate a migration from models.py
#   make clean      remove build and test leftovers (not .venv, not var/)
#   make distclean  clean, and remove .venv too

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.regdraft-installed
PYTEST_ARGS ?=
TEST_WORKERS ?= auto
BENCH_ARGS ?=
MESSAGE ?=

.PHONY: help setup run test openapi bench revision clean distclean

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The interpreter is an order-only prerequisite: only a pyproject.toml newer than the
# stamp triggers a reinstall.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[test]'
	touch $@

setup: $(STAMP)

# Each run makes a fresh admin token and prints it (only its hash is stored); old ones
# stay valid until `regdraft token revoke NAME` (`regdraft token list` names them).
run: setup
	$(BIN)/regdraft load
	@echo "Admin token for this server (send 'Authorization: Bearer <token>'; see docs/security.md):"
	@$(BIN)/regdraft token create --role admin --name "make-run-$$(date -u +%Y%m%dT%H%M%SZ)" --actor make-run \
		--person "$${REGDRAFT_PERSON:-$$(git config user.name 2>/dev/null || id -un)}"
	$(BIN)/regdraft serve

test: setup
	mkdir -p test-artifacts
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The benchmark's own extra (pygit2, for the floor's line diff) is installed on top.
bench: setup
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[test,bench]'
	$(BIN)/python -m bench $(BENCH_ARGS)

openapi: setup
	mkdir -p api
	$(BIN)/regdraft openapi > api/openapi.json.tmp
	mv api/openapi.json.tmp api/openapi.json

revision: setup
	@test -n "$(MESSAGE)" || { echo 'usage: make revision MESSAGE="what changed"' >&2; exit 2; }
	$(BIN)/python -c 'import sys; from regdraft.store.engine import autogenerate_revision; print(autogenerate_revision(sys.argv[1]))' "$(MESSAGE)"

clean:
	rm -rf build dist test-artifacts .pytest_cache .hypothesis src/*.egg-info api/openapi.json.tmp
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
