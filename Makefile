# Slate: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
# The venv is based on the system interpreter: sandbox uids must be able to read it
# (a pyenv Python under a 0700 home is not readable by them).
PYTHON_SYS := $(shell if [ -x /usr/bin/python3 ]; then echo /usr/bin/python3; else command -v python3; fi)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 2222

.PHONY: install run test check bench clean

install: $(STAMP)

$(STAMP): pyproject.toml .ci/install-system.sh .ci/install-node-libs.py .ci/node-libs.lock.json courses/kinds/harness/dom-page.cjs
	@bash .ci/install-system.sh
	@test -n "$(PYTHON_SYS)" || { echo "slate: no python3 found" >&2; exit 1; }
	@# The browser course's DOM (happy-dom, sha512-pinned) into /usr/local/lib/slate: sandboxes see /usr.
	@$(PYTHON_SYS) .ci/install-node-libs.py
	@test -x $(BIN)/python || $(PYTHON_SYS) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	@$(BIN)/python -m pip install -q -e '.[dev]'
	@# Sandboxes see the code read-only: compile it now so no session compiles it at start.
	@$(BIN)/python -m compileall -q server tui jail courses >/dev/null
	@chmod -R a+rX $(VENV)
	@touch $@

run: install
	$(BIN)/slate demo --port $(PORT)

test: install
	$(BIN)/python -m pytest -q
	@# The whole catalog, every alternative and mistake (pytest checks the checker on samples).
	$(BIN)/slate course check --min-cases 3

check: install
	$(BIN)/ruff check server tui jail courses tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .slate .pytest_cache .mypy_cache .ruff_cache
