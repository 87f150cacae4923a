# The two commands: `make acceptance` (the suite on the embedded stack, then the report) and
# `make test` (unit tests, the fault matrix and the full behave run). Both set themselves up.
VENV   := .venv
PY     := $(VENV)/bin/python
TAGS   ?= not @slow
PROFILE ?= local
BEHAVE := $(PY) -m behave -D profile=$(PROFILE)

.PHONY: setup acceptance test unit faults behave-all report stack sweep clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

acceptance: setup
	@find allure-results -mindepth 1 ! -name .gitkeep -delete
	@$(BEHAVE) --tags="$(TAGS)"; status=$$?; $(MAKE) --no-print-directory report; exit $$status

report: node_modules/.installed
	@npx allure awesome --single-file allure-results -o allure-report > /dev/null
	@echo "report: file://$(CURDIR)/allure-report/index.html"

behave-all: setup
	@find allure-results -mindepth 1 ! -name .gitkeep -delete
	$(BEHAVE) --tags="not @wip" --format=progress

test: setup behave-all
	$(PY) -m pytest tests

stack: $(VENV)/.installed
	$(PY) -m stack serve

sweep: $(VENV)/.installed
	$(PY) -m stack sweep
	$(PY) -m support.sweep --profile $(PROFILE)

clean:
	rm -rf allure-report reports .stack
