# `make run` and `make test` work from a fresh clone: they create .venv and install first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test lint format bench messages vendor clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

# Web server on http://127.0.0.1:8000 with a Celery worker and beat, on SQLite and the filesystem
# broker unless DATABASE_URL and REDIS_URL say otherwise. Prints the demo logins first.
run: export DEBUG ?= true
run: $(INSTALLED)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	@echo "\n  Open http://127.0.0.1:8000/ and log in with one of the accounts above. Ctrl-C stops everything.\n"
	$(BIN)/honcho --procfile Procfile.dev start

# Every test, in two runs. First on every core (pytest-xdist) without the tests that start Celery
# workers; then those, one at a time in one process that reuses the first run's database (a worker
# takes tasks from the broker queue that every process publishes to, and reads only its own
# process's test database). Exit status 5 is "no worker test selected". PYTEST_ARGS takes paths and
# options, not -m. PYTEST_WORKERS=0 runs the first part in one process. The inner loop, without
# workers, browsers and seed_demo: .venv/bin/pytest -n auto -m "not slow"
PYTEST_WORKERS ?= auto
test: $(INSTALLED)
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not worker" $(PYTEST_ARGS)
	$(BIN)/pytest -n 1 -m worker $(filter-out --create-db,$(PYTEST_ARGS)) || [ $$? -eq 5 ]

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Rebuild the translation catalogues after changing strings (needs GNU gettext; the compiled
# .mo files are committed, so running the product never does).
messages: $(INSTALLED)
	DEBUG=true $(BIN)/python manage.py makemessages --locale zh_Hans --locale en --no-location --ignore ".venv/*" --ignore "staticfiles/*" --ignore "static/*" --ignore "var/*"
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore ".venv/*"

# Refresh the vendored front-end files from the npm registry (versions pinned here).
BOOTSTRAP_VERSION := 5.3.9
HTMX_VERSION := 2.0.11
ICONS_VERSION := 1.13.2
vendor:
	rm -rf var/npm && mkdir -p var/npm
	cd var/npm && npm pack --silent bootstrap@$(BOOTSTRAP_VERSION) htmx.org@$(HTMX_VERSION) bootstrap-icons@$(ICONS_VERSION)
	cd var/npm && for f in *.tgz; do mkdir -p "$${f%.tgz}" && tar xzf "$$f" -C "$${f%.tgz}"; done
	cp var/npm/bootstrap-$(BOOTSTRAP_VERSION)/package/dist/css/bootstrap.min.css* static/vendor/bootstrap/
	cp var/npm/bootstrap-$(BOOTSTRAP_VERSION)/package/dist/js/bootstrap.bundle.min.js* static/vendor/bootstrap/
	cp var/npm/bootstrap-$(BOOTSTRAP_VERSION)/package/LICENSE static/vendor/bootstrap/
	cp var/npm/htmx.org-$(HTMX_VERSION)/package/dist/htmx.min.js var/npm/htmx.org-$(HTMX_VERSION)/package/LICENSE static/vendor/htmx/
	cp var/npm/bootstrap-icons-$(ICONS_VERSION)/package/font/bootstrap-icons.min.css static/vendor/bootstrap-icons/
	cp var/npm/bootstrap-icons-$(ICONS_VERSION)/package/font/fonts/* static/vendor/bootstrap-icons/fonts/
	cp var/npm/bootstrap-icons-$(ICONS_VERSION)/package/LICENSE static/vendor/bootstrap-icons/

clean:
	rm -rf $(VENV) var staticfiles

# Performance figures (server time and query counts) on a throwaway database.
bench: $(INSTALLED)
	$(BIN)/python benchmarks/run.py
