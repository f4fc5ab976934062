# IOMS developer commands. `make run` and `make test` are all a fresh machine needs: each creates
# .venv with a Python >= 3.12 if it is missing, installs the dependencies from pyproject.toml when
# that file (or requirements.lock) changed, and runs under scripts/services.py, which starts an
# embedded PostgreSQL and Redis unless DATABASE_URL / REDIS_URL point at real ones.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RUFF := $(VENV)/bin/ruff
SERVICES := $(PY) scripts/services.py --
# The same, with the database owner's connection as DATABASE_URL (README: Database roles): for
# migrate, shell, bench and the tests (pytest-django creates and owns the test database).
SERVICES_AS_OWNER := $(PY) scripts/services.py --as-owner --
STAMP := $(VENV)/.ioms-install-stamp
EXTRAS := embedded,dev

PYTEST_ARGS ?=
BENCH_ARGS ?=
# pytest-xdist workers for `make test`: one per core, at most 4 (on 2 cores, 3 workers were no faster
# than 2: PostgreSQL and Chromium share the cores). Each has its own test database and Redis database
# (tests/conftest.py). TEST_WORKERS=0 runs the tests in one process.
TEST_WORKERS ?= $(shell n=$$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1); echo $$(( n < 4 ? n : 4 )))

# Commands other than `make run` (which turns on DEBUG) need the development secret key.
export IOMS_ALLOW_DEV_SECRET ?= 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# Prints the requirements of pyproject.toml's [project] plus the extras named in argv[1].
# Installing these lists (rather than `pip install -e .`) needs no build backend and no egg-info.
define REQUIREMENTS_FROM_PYPROJECT
import sys, tomllib
with open("pyproject.toml", "rb") as handle:
    project = tomllib.load(handle)["project"]
extras = [extra for extra in sys.argv[1].split(",") if extra]
print("\n".join(project["dependencies"] + [r for e in extras for r in project["optional-dependencies"][e]]))
endef
export REQUIREMENTS_FROM_PYPROJECT

# $(PYTHON) if given; otherwise python3.13 and python3.12 on PATH, pyenv builds, python3, where a 3.12
# wins over a newer one: it is the version the suite is run with (the lock was resolved on it).
# Each candidate is run, because a pyenv shim can exist on PATH for a version that is not selected.
define FIND_PYTHON
found=""
candidates="python3.13 python3.12 $$HOME/.pyenv/versions/3.1[2-9]*/bin/python3"
candidates="$$candidates /root/.pyenv/versions/3.1[2-9]*/bin/python3 python3"
for wanted in "== (3, 12)" ">= (3, 12)"; do
    for candidate in $${PYTHON:-$$candidates}; do
        if "$$candidate" -c "import sys, venv, ensurepip; sys.exit(not sys.version_info[:2] $$wanted)" \
                >/dev/null 2>&1; then
            found="$$candidate"; break 2
        fi
    done
done
if [ -z "$$found" ] && [ -n "$${PYTHON:-}" ]; then
    echo "error: PYTHON=$$PYTHON is not a Python >= 3.12 with the venv module." >&2
    exit 1
elif [ -z "$$found" ]; then
    echo "error: no Python >= 3.12 with the venv module found (Django 6 needs 3.12)." >&2
    echo "       Tried python3.13, python3.12, ~/.pyenv/versions/3.1[2-9]*/bin/python3 and python3." >&2
    echo "       Install one (e.g. pyenv install 3.12) or run: make PYTHON=/path/to/python3.12 ..." >&2
    exit 1
fi
endef
export FIND_PYTHON

.PHONY: help venv run test _test-steps bench bench-appointments lint fmt clean migrate shell lock

help:
	@echo "make run     start the portal (web, Celery worker and beat) at http://127.0.0.1:8000/"
	@echo "make test    ruff, makemigrations --check and pytest (PYTEST_ARGS='-k name' to narrow;"
	@echo "             TEST_WORKERS=N parallel pytest processes, 0 for one; PYTEST_ARGS='-m \"not slow\"')"
	@echo "make bench   manage.py bench \$$BENCH_ARGS"
	@echo "make lint    ruff check and ruff format --check"
	@echo "make fmt     ruff check --fix and ruff format"
	@echo "make migrate / make shell   manage.py migrate / shell against the same databases"
	@echo "make clean   stop the embedded servers and delete .local (their data)"
	@echo "make lock    re-resolve the dependencies into requirements.lock"

# Create .venv if needed; reinstall only when pyproject.toml or requirements.lock changed.
venv:
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	    echo "$(VENV) uses Python $$($(PY) -V 2>&1 | cut -d' ' -f2 || echo '?'), Django 6 needs >= 3.12: recreating it"; \
	    rm -rf $(VENV); \
	fi
	@if [ ! -x $(PY) ]; then \
	    eval "$$FIND_PYTHON"; \
	    echo "==> Creating $(VENV) with $$found ($$("$$found" -V 2>&1))"; \
	    "$$found" -m venv $(VENV); \
	    rm -f $(STAMP); \
	fi
	@want="$$(cat pyproject.toml $$(test -f requirements.lock && echo requirements.lock) | sha256sum | cut -d' ' -f1) $(EXTRAS)"; \
	if [ "$$(cat $(STAMP) 2>/dev/null)" != "$$want" ]; then \
	    $(PY) -c "$$REQUIREMENTS_FROM_PYPROJECT" "$(EXTRAS)" > $(VENV)/requirements.txt; \
	    constraints=""; if [ -f requirements.lock ]; then constraints="--constraint requirements.lock"; fi; \
	    if [ -f $(STAMP) ]; then estimate="pyproject.toml or requirements.lock changed"; \
	    else estimate="2–4 minutes the first time"; fi; \
	    echo "==> Installing Python packages from pyproject.toml [$(EXTRAS)] into $(VENV) ($$estimate)…"; \
	    echo "    pip lists each package as it fetches it; its last step, \"Installing collected packages\","; \
	    echo "    then works for a minute or two without output."; \
	    $(PY) -m pip install --progress-bar on --requirement $(VENV)/requirements.txt $$constraints \
	        | { grep --line-buffered -v '^Requirement already satisfied' || true; }; \
	    echo "$$want" > $(STAMP); \
	    echo "==> Python packages installed"; \
	fi

run: venv
	$(SERVICES) $(PY) scripts/run_portal.py

test: venv
	$(SERVICES_AS_OWNER) $(MAKE) --no-print-directory _test-steps

# Runs inside scripts/services.py, so DATABASE_URL and REDIS_URL are set.
_test-steps:
	$(RUFF) check .
	$(RUFF) format --check .
	$(PY) manage.py makemigrations --check --dry-run
	@status=0; $(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: treating that as a failure" >&2; fi; \
	exit $$status

bench: venv
	$(SERVICES_AS_OWNER) $(PY) manage.py bench $(BENCH_ARGS)

# The diary and office calendar alone (60 cases per officer; also part of `make bench`).
bench-appointments: venv
	$(SERVICES_AS_OWNER) $(PY) manage.py bench_appointments $(BENCH_ARGS)

lint: venv
	$(RUFF) check .
	$(RUFF) format --check .

fmt: venv
	$(RUFF) check --fix .
	$(RUFF) format .

migrate: venv
	$(SERVICES_AS_OWNER) $(PY) manage.py migrate

shell: venv
	$(SERVICES_AS_OWNER) $(PY) manage.py shell

clean:
	@if [ -x $(PY) ] && [ -d .local ]; then $(PY) scripts/services.py --stop; fi
	rm -rf .local

# Resolve pyproject.toml afresh in a throw-away venv and pin the result.
lock: venv
	rm -rf .local/lock-venv
	mkdir -p .local
	$(PY) -m venv .local/lock-venv
	$(PY) -c "$$REQUIREMENTS_FROM_PYPROJECT" "$(EXTRAS)" > .local/lock-venv/requirements.txt
	.local/lock-venv/bin/python -m pip install --quiet --upgrade pip
	.local/lock-venv/bin/python -m pip install --quiet --requirement .local/lock-venv/requirements.txt
	{ echo "# Generated by 'make lock' from pyproject.toml [$(EXTRAS)]; used as pip constraints."; \
	  .local/lock-venv/bin/python -m pip freeze --all --exclude pip; } > requirements.lock
	rm -rf .local/lock-venv
	@echo "requirements.lock updated"
