# Two commands for a fresh machine:
#   make site   set up and build the sample briefing book into _site/
#   make test   set up and run the tests
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: site test serve setup clean messages

$(BIN)/briefing: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# The reader tests' checkers (axe-core, the Nu HTML Checker), pinned by the lock file.
TOOLS := tests/tools/node_modules/.package-lock.json
$(TOOLS): tests/tools/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix tests/tools --no-audit --no-fund --silent; \
	else echo "npm not found: the accessibility and HTML checks will be skipped"; fi

setup: $(BIN)/briefing

site: setup
	$(BIN)/briefing build

serve: setup
	$(BIN)/briefing serve

test: setup $(TOOLS)
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

# Gather the interface's messages from the templates and the code, and bring each catalog up to date
# (then translate the new entries in templates/locale/<lang>/LC_MESSAGES/messages.po).
messages: setup
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k NP_:1c,2 -k say -k State:3 --no-location --sort-output --omit-header -o templates/locale/messages.pot .
	$(BIN)/pybabel update -i templates/locale/messages.pot -d templates/locale --no-fuzzy-matching

clean:
	rm -rf _site .briefing-cache
