# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_ADDR ?= 127.0.0.1:8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/sdc_ops
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# The embedded default: no database or broker variables at all.
DEMO_ENV := env -u DATABASE_URL -u CELERY_BROKER_URL -u REDIS_URL -u DEBUG -u SECRET_KEY

.PHONY: demo test lint typecheck pytest smoke bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

## Seeded demo on SQLite with Celery eager, served on http://$(DEMO_ADDR)/
## (SITE_URL follows DEMO_ADDR, so the printed address and e-mail links are the served one)
demo: $(STAMP)
	$(DEMO_ENV) SITE_URL=http://$(DEMO_ADDR) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) SITE_URL=http://$(DEMO_ADDR) $(BIN)/python manage.py seed_demo
	$(DEMO_ENV) SITE_URL=http://$(DEMO_ADDR) $(BIN)/python manage.py runserver $(DEMO_ADDR)

## Lint, types, the test suite on PostgreSQL + Redis, then a smoke test of the demo path
test: $(STAMP)
	scripts/ensure_services.sh
	$(MAKE) --no-print-directory lint typecheck pytest smoke

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy .

pytest: $(STAMP)
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL) \
		$(BIN)/pytest -n 2 --dist worksteal --create-db $(PYTEST_ARGS)

smoke: $(STAMP)
	$(DEMO_ENV) $(BIN)/python scripts/demo_smoke.py

## Benchmarks (see bench/README.md)
bench: $(STAMP)
	scripts/ensure_services.sh
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python bench/pages.py
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/python bench/rollup.py
	$(BIN)/python bench/capacity.py
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_REDIS_URL) \
		CACHE_URL=$(TEST_REDIS_URL) $(BIN)/python bench/dashboards.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache
