# One command runs the portal with demo data, one runs the tests. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_ORDERS ?= 20000

.PHONY: run test install migrate demo lint bench clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

migrate: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

# Demo data is loaded when the database holds no shop data yet; `make demo` reloads it from scratch.
demo: migrate
	$(BIN)/python manage.py seed_demo --orders $(DEMO_ORDERS) --flush
	$(BIN)/python manage.py compute_metrics --all
	$(BIN)/python manage.py compute_assortment
	$(BIN)/python manage.py compute_prices

run: migrate
	$(BIN)/python manage.py seed_demo --orders $(DEMO_ORDERS) --if-empty
	$(BIN)/python manage.py compute_metrics --all
	$(BIN)/python manage.py create_demo_users
	$(BIN)/python manage.py compute_assortment
	$(BIN)/python manage.py compute_prices
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

messages: install
	$(BIN)/python manage.py makemessages -l de --ignore=.venv --ignore=var --ignore=tests --ignore=bench --ignore=scripts
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf var/db.sqlite3
