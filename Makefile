# The two commands of the README, each doing its own set-up on a fresh machine:
#   make serve   the pages on http://127.0.0.1:8866/ (open the address printed: it carries the sign-in
#                token) with demo data in a database of its own, pcp-demo.sqlite (loaded if it is empty)
#   make test    every test: unit, notebooks (nbval) and browser (Chromium)
# and, for maintainers, `make templates` (regenerate templates/) and `make clean`.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Touched after each install; pyproject.toml newer than it means install again.
INSTALLED := $(VENV)/.pcp-installed
# axe-core (npm), which the browser tests inject into each page to check accessibility.
AXE := tests/browser/node_modules/axe-core/axe.min.js

.PHONY: serve test templates clean distclean

serve: $(INSTALLED)
	@$(BIN)/pcp serve --demo

# Explicit paths, so pytest always collects the unit tests (never exit 5, "no tests ran")
# and nbval runs every page under workbooks/ and audits/.
test: $(INSTALLED) $(AXE)
	$(BIN)/python -m pytest --nbval-lax tests workbooks audits

templates: $(INSTALLED)
	$(BIN)/pcp templates --out templates

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e '.[test]'
	touch $(INSTALLED)

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/browser --no-audit --no-fund && touch $@; \
	else echo "npm is not installed: the accessibility checks will be skipped (or fail with PCP_REQUIRE_BROWSER=1)"; fi

clean:
	rm -rf build dist .pytest_cache .hypothesis tests/benchmarks/out *.egg-info
	find . -path ./$(VENV) -prune -o \( -name __pycache__ -o -name .ipynb_checkpoints \) -type d -print \
		| xargs rm -rf

# clean, and the virtual environment too (the next make serve or make test makes a new one).
distclean: clean
	rm -rf $(VENV) tests/browser/node_modules
