# Targets a newcomer can guess. Each installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
DEV_PORT ?= 3000
DEV_WEB_PORT ?= 3001
DEPLOY_ENV ?= default
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Tools that pin their own versions (and conflicting boto3/pydantic) live in environments of
# their own, never in .venv (defined here, before the rules that need them).
MINISTACK := .venv-ministack/bin/ministack
SAM := .venv-sam/bin/sam
CFN_LINT := .venv-cfnlint/bin/cfn-lint
CHECKOV := .venv-checkov/bin/checkov
SCHEMATHESIS := .venv-schemathesis/.stamp-threadsafe-ast
REDOCLY := .venv-redocly/node_modules/.bin/redocly
# The web client's linter and formatter (biome.jsonc), from npm, pinned.
BIOME := .venv-biome/node_modules/.bin/biome
BIOME_VERSION := 2.6.8
OPENAPI_CLIENT := .venv-openapi-client/bin/openapi-python-client
# The browser tests: Debian's chromium (Playwright's own browser downloads cannot reach the network
# here) and axe-core from npm, pinned, in an environment of its own.
CHROMIUM := /usr/bin/chromium
AXE := .venv-npm/node_modules/axe-core/axe.min.js
AXE_VERSION := 4.14.1
LOCUST := .venv-locust/bin/locust
IMPORT_LINTER := .venv-importlinter/bin/lint-imports
export SAM_CLI_TELEMETRY := 0

.PHONY: help install dev dev-up dev-down dev-tokens fuzz test generated-client lint format clean bench bench-full openapi check-template build deploy screenshots mutation load load-webhook

help:
	@echo "Targets (each installs what it needs first):"
	@echo "  make dev            template.yaml deployed into a local AWS emulator, sample essays loaded; Ctrl-C stops it"
	@echo "  make dev-up         the same in the background: prints the URL, curl examples and tokens, then returns"
	@echo "  make dev-down       stop the background stack"
	@echo "  make dev-tokens     the two local readers' current access tokens (renewed every 45 minutes)"
	@echo "  make test           every test: unit, integration, and end to end against a deployed local stack"
	@echo "  make lint           Redocly (the OpenAPI document), ruff (lint and format check), mypy, the import layers, Biome (web/)"
	@echo "  make format         ruff and Biome fixes and formatting"
	@echo "  make fuzz           schemathesis against the local stack and its OpenAPI document"
	@echo "  make load           Locust against the local stack: 20 readers for 60 s, a burst above the throttling limit, the webhook flooded"
	@echo "  make load-webhook   the webhook alone: Stripe's signed events under a flood of unsigned junk (10x their rate or more)"
	@echo "  make generated-client  a Python client generated from the OpenAPI document (build/; e2e uses it)"
	@echo "  make openapi        regenerate functions/openapi/openapi.json from template.yaml and the models"
	@echo "  make bench          cold start, reads per request, warm latency, bulk load and cost (a few minutes)"
	@echo "  make bench-full     the same with the 150,000-essay load"
	@echo "  make check-template sam validate --lint, cfn-lint (+ serverless rules), checkov, sam build"
	@echo "  make mutation       mutmut over the paywall's modules: score per module, fails under 95% (long; after any change to them)"
	@echo "  make screenshots    PNGs of the essay page (visitor, subscriber, metered, paywall), plans, subscribed, account"
	@echo "  make build          sam build"
	@echo "  make deploy         sam build && sam deploy, then the web client and its config.json"
	@echo "  make help           this list"
	@echo "  make install        .venv with the project and its dev tools"
	@echo "  make clean          remove the virtual environments, caches and .dev/"
	@echo "Variables (make TARGET NAME=value):"
	@echo "  DEV_PORT=3000       the local stack's port (dev, dev-up); 0 picks a free one"
	@echo "  DEV_WEB_PORT=3001   the local web client's port (dev, dev-up)"
	@echo "  DEPLOY_ENV=default  samconfig.toml's environment for build and deploy (prod for production)"
	@echo "  DEPLOY_ARGS=        extra sam deploy arguments; --parameter-overrides merge with samconfig.toml's"
	@echo "  BENCH_ARGS=         extra essays-bench arguments (essays-bench --help)"
	@echo "  FUZZ_SEED=20261127  schemathesis's seed"
	@echo "  MUTATION_JOBS=2     mutants tested in parallel (mutation)"
	@echo "  MUTANTS=            mutmut's mutant names or globs, e.g. 'shared.library.cursor*' (mutation; default all)"
	@echo "  PYTHON=python3      the Python that creates the virtual environments"
	@echo "  EMULATOR_PYTHON=    the emulator's Python (default: python3.12 where found, else PYTHON)"
	@echo "  LAYER_PIP_TARGET=   pip's platform options for the layer (default: arm64 / CPython 3.12, as on Lambda)"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# One field of the running local stack's .dev/stack.json.
STACK_FIELD := $(BIN)/python -c 'import json, sys; print(json.load(open(".dev/stack.json"))[sys.argv[1]])'

# template.yaml built and deployed into the embedded emulator (infra/essays_cli/devserver.py says how).
dev: install $(SAM) $(MINISTACK)
	$(BIN)/essays-dev --port $(DEV_PORT) --web-port $(DEV_WEB_PORT) --state-file .dev/stack.json

# The same stack in the background, for scripts and CI: returns once the API answers, after
# printing what `make dev` prints (URL, curl examples, tokens, the local loading recipe).
# .dev holds the readers' tokens and passwords (stack.json, dev.log): its owner's only (umask 077;
# essays-dev makes what it writes 0600 too).
dev-up: install $(SAM) $(MINISTACK)
	@mkdir -p -m 700 .dev
	@umask 077; if [ -f .dev/stack.json ] && kill -0 $$($(STACK_FIELD) pid) 2>/dev/null; then \
		running=$$($(STACK_FIELD) endpointUrl); \
		if [ "$(DEV_PORT)" = "0" ] || [ "$$running" = "http://127.0.0.1:$(DEV_PORT)" ]; \
		then echo "already up on $$running (API: $$($(STACK_FIELD) apiUrl)); make dev-down stops it"; exit 0; fi; \
		echo "a local stack is already up on $$running, not on port $(DEV_PORT): make dev-down first" >&2; exit 1; \
	fi; rm -f .dev/stack.json; \
	nohup $(BIN)/essays-dev --port $(DEV_PORT) --web-port $(DEV_WEB_PORT) --state-file .dev/stack.json --background > .dev/dev.log 2>&1 & \
	pid=$$!; for i in $$(seq 1 1800); do [ -f .dev/stack.json ] && break; kill -0 $$pid 2>/dev/null || break; sleep 0.5; done; \
	if [ -f .dev/stack.json ]; then sed -n '/^Up in/,$$p' .dev/dev.log; else cat .dev/dev.log; exit 1; fi

# The readers' and the teacher's current access tokens (the running stack renews them every 45 minutes).
dev-tokens:
	@if [ ! -f .dev/stack.json ]; then echo "no local stack is running: start one with make dev-up" >&2; exit 1; fi
	@echo "SUBSCRIBER_TOKEN=$$($(STACK_FIELD) subscriberToken)"; echo "LAPSED_TOKEN=$$($(STACK_FIELD) lapsedToken)"
	@echo "TEACHER_TOKEN=$$($(STACK_FIELD) teacherToken)"

dev-down:
	@if [ -f .dev/stack.json ]; then \
		kill $$($(STACK_FIELD) pid) 2>/dev/null || true; \
		for i in $$(seq 1 120); do [ -f .dev/stack.json ] || break; sleep 0.25; done; rm -f .dev/stack.json; \
		echo "stopped"; else echo "not running"; fi

# The end-to-end tests deploy template.yaml into the emulator: sam and ministack are installed first.
test: install $(SAM) $(MINISTACK) generated-client $(CHROMIUM) $(AXE)
	$(BIN)/essays-openapi --check
	$(BIN)/python -m pytest

# A Python client generated from the committed OpenAPI document (build/, never committed); the e2e
# suite calls the local stack through it.
generated-client: $(OPENAPI_CLIENT)
	rm -rf build/essay_client
	$(OPENAPI_CLIENT) generate --path functions/openapi/openapi.json --output-path build/essay_client \
		--meta none --config infra/openapi-client.yaml

$(CHROMIUM):
	apt-get update -qq && apt-get install -y -qq chromium
$(AXE):
	npm install --silent --no-audit --no-fund --prefix .venv-npm axe-core@$(AXE_VERSION)

# The essay page as a visitor, a subscriber and a lapsed reader see it, on the local stack.
screenshots: install $(SAM) $(MINISTACK) $(CHROMIUM) $(AXE)
	$(BIN)/python -m pytest tests/browser/test_screenshots.py --screenshots -q

openapi: install
	$(BIN)/essays-openapi

lint: install $(REDOCLY) $(BIOME) $(IMPORT_LINTER)
	$(REDOCLY) lint --extends=recommended-strict functions/openapi/openapi.json
	$(BIOME) ci --colors=off --error-on-warnings web
	@# Biome's formatter wraps code at 120 but not long strings or HTML: no line of web/ past 120 characters.
	@awk 'length > 120 { print FILENAME ":" FNR ": longer than 120 characters"; bad = 1 } END { exit bad }' \
		$$(find web -name '*.js' -o -name '*.css' -o -name '*.html')
	$(BIN)/ruff check functions shared infra tests
	$(BIN)/ruff format --check functions shared infra tests
	$(BIN)/mypy --strict functions shared infra
	$(BIN)/mypy tests
	PYTHONPATH=. $(IMPORT_LINTER) --no-cache  # shared/ layered one way (pyproject.toml's importlinter contracts)

format: install $(BIOME)
	$(BIN)/ruff check --fix functions shared infra tests
	$(BIN)/ruff format functions shared infra tests
	$(BIOME) check --write web

clean:
	rm -rf $(VENV) .venv-* mutants .pytest_cache .mypy_cache .ruff_cache .hypothesis .aws-sam .dev


# The emulator runs the functions on its own Python: 3.12, as on Lambda, where this machine has one.
EMULATOR_PYTHON ?= $(or $(shell for p in python3.12 $(HOME)/.pyenv/versions/3.12*/bin/python3.12; do \
	$$p -c '' 2>/dev/null && echo $$p && break; done),$(PYTHON))
$(MINISTACK): infra/emulator-requirements.txt
	rm -rf .venv-ministack
	$(EMULATOR_PYTHON) -m venv .venv-ministack
	.venv-ministack/bin/python -m pip install --quiet -r infra/emulator-requirements.txt
	touch $(MINISTACK)
$(REDOCLY):
	npm install --prefix .venv-redocly --no-audit --no-fund --silent '@redocly/cli@2.77.0'
$(BIOME):
	npm install --prefix .venv-biome --no-audit --no-fund --silent '@biomejs/biome@$(BIOME_VERSION)'
# The Python tools: what pip installs, each in the environment its path starts with (.venv-sam...).
$(SAM): PINS := 'aws-sam-cli==1.170.0'
$(CFN_LINT): PINS := 'cfn-lint==1.58.0' 'cfn-lint-serverless==0.3.6'
$(SCHEMATHESIS): PINS := 'schemathesis==4.32.5'
# schemathesis runs on a Python whose ast.parse is safe in threads: before 3.11.8 and 3.12.2, two threads
# parsing at once (hypothesis describes its lambdas with ast, and --workers 2 runs two) can raise
# "SystemError: AST constructor recursion depth mismatch" (CPython gh-106905). Its stamp remakes an
# environment made before with another Python.
$(SCHEMATHESIS): TOOL_PYTHON = $(or $(shell for p in python3.13 $(HOME)/.pyenv/versions/3.13*/bin/python3.13 \
	python3.12 $(PYTHON); do $$p -c 'import sys; v = sys.version_info; \
	sys.exit(not (v >= (3, 12, 2) or (3, 11, 8) <= v < (3, 12)))' 2>/dev/null && echo $$p && break; done), \
	$(error make fuzz needs Python 3.11.8+ or 3.12.2+ (CPython gh-106905)))
$(OPENAPI_CLIENT): PINS := 'openapi-python-client==0.29.1'
$(IMPORT_LINTER): PINS := 'import-linter==2.17'
$(CHECKOV): PINS := 'checkov==3.3.30'
$(LOCUST): PINS := -r infra/load/requirements.txt
$(LOCUST): infra/load/requirements.txt
$(SAM) $(CFN_LINT) $(SCHEMATHESIS) $(OPENAPI_CLIENT) $(IMPORT_LINTER) $(CHECKOV) $(LOCUST):
	rm -rf $(firstword $(subst /, ,$@))
	$(or $(TOOL_PYTHON),$(PYTHON)) -m venv $(firstword $(subst /, ,$@))
	$(firstword $(subst /, ,$@))/bin/python -m pip install --quiet $(PINS)
	touch $@

# Schema fuzzing of the running local stack against its own OpenAPI document (about 3,700 test cases).
# unsupported_method: API Gateway REST answers undeclared methods itself (404 JSON here), never 405.
# positive_data_acceptance: cursors are server-signed and q must hold a real word; a schema cannot say so.
# 30 s for an answer (--checks all holds them to 10 s otherwise): a function's first start in the emulator,
# on a busy machine, can take longer (13-16 s seen); a hung function still fails.
# POST /me/signout is left out: it would revoke the one token the fuzzer reads the full essay with
# (tests/integration/test_subscriber_access.py covers it).
# Then the teachers' routes and submissions again with a teacher's token (~2,500 cases, under a minute):
# with the reader's, /review/* answers 403 before reading anything.
FUZZ_SEED ?= 20261127
fuzz: install $(SCHEMATHESIS)
	$(MAKE) --no-print-directory dev-up DEV_PORT=0
	@API=$$($(STACK_FIELD) apiUrl); \
	TOKEN=$$($(STACK_FIELD) subscriberToken); \
	.venv-schemathesis/bin/schemathesis run $$API/openapi.json --url $$API --checks all \
		--exclude-checks unsupported_method,positive_data_acceptance --exclude-path /me/signout \
		-H "Authorization: Bearer $$TOKEN" --max-examples 100 --workers 2 --seed $(FUZZ_SEED) \
		--request-timeout 30 --max-response-time 30; \
	status=$$?; \
	.venv-schemathesis/bin/schemathesis run $$API/openapi.json --url $$API --checks all \
		--exclude-checks unsupported_method,positive_data_acceptance --include-path-regex '^/(review|me/submissions)' \
		-H "Authorization: Bearer $$($(STACK_FIELD) teacherToken)" --max-examples 100 --workers 2 --seed $(FUZZ_SEED) \
		--request-timeout 30 --max-response-time 30 || status=1; \
	$(MAKE) --no-print-directory dev-down; exit $$status

# A bounded load test of the local stack (infra/load/locustfile.py): 20 readers with the route mix of real
# traffic for 60 s, then 40 clients with no pause on one route for 15 s, above the stage's throttling limit
# (lowered for the burst by infra/load/throttle.py, and restored). Stops by itself, targets 127.0.0.1 only,
# and fails on a 5xx other than 503 or a 429 without our JSON body. Starts the stack if none is up, and
# stops only a stack it started. Figures: .dev/load.md (private, as everything in .dev/).
load: install $(LOCUST) $(SAM) $(MINISTACK)
	@umask 077; up=0; [ -f .dev/stack.json ] && up=1; \
	$(MAKE) --no-print-directory dev-up DEV_PORT=0 || exit 1; status=0; \
	LOAD_REPORT=.dev/load-readers.md $(LOCUST) -f infra/load/locustfile.py --headless --only-summary \
		-u 20 -r 20 -t 60s Reader > .dev/load.log 2>&1 || status=1; \
	$(BIN)/python infra/load/throttle.py lower && \
	LOAD_REPORT=.dev/load-burst.md $(LOCUST) -f infra/load/locustfile.py --headless --only-summary \
		-u 40 -r 40 -t 15s Burst >> .dev/load.log 2>&1 || status=1; \
	$(BIN)/python infra/load/throttle.py restore || status=1; \
	$(WEBHOOK_LOAD) >> .dev/load.log 2>&1 || status=1; \
	{ echo "## 20 readers, 60 s"; cat .dev/load-readers.md; echo; echo "## Burst: 40 clients, no pause, 15 s"; \
		cat .dev/load-burst.md; echo; echo "## $(WEBHOOK_LOAD_TITLE)"; cat .dev/load-webhook.md; } > .dev/load.md; \
	cat .dev/load.md; [ $$up = 1 ] || $(MAKE) --no-print-directory dev-down; exit $$status

# The webhook under a flood, alone (also `make load`'s last phase): Stripe's events, signed with stripe-python
# and the local endpoint's secret, one a second and retried as Stripe retries (429 and 5xx, with backoff),
# while 4 clients send POST /billing/webhook unsigned junk: 30 s at 16 requests a second in all (16 times the
# events' rate, within the webhook's own limit), then 30 s with no pause (far above it). Fails unless every
# signed event is applied (read back from the reader's record) and the junk came at ten times their rate or
# more. --stop-timeout: an event still being retried at the end is seen through. Figures: .dev/load-webhook.md.
WEBHOOK_LOCUST = $(LOCUST) -f infra/load/locustfile.py --headless --only-summary \
	-u 5 -r 5 -t 30s --stop-timeout 40 StripeEvents WebhookJunk
WEBHOOK_LOAD = ( webhook=0; \
	JUNK_PER_CLIENT=4 LOAD_REPORT=.dev/load-webhook-16.md $(WEBHOOK_LOCUST) || webhook=1; \
	LOAD_REPORT=.dev/load-webhook-flood.md $(WEBHOOK_LOCUST) || webhook=1; \
	{ echo "\#\#\# Junk at 16 requests/s (4 clients, 4 a second each)"; cat .dev/load-webhook-16.md; echo; \
		echo "\#\#\# Junk with no pause (4 clients)"; cat .dev/load-webhook-flood.md; } > .dev/load-webhook.md; \
	exit $$webhook )
WEBHOOK_LOAD_TITLE := The webhook under a flood: 1 signed event a second, junk at 16/s then with no pause, 30 s each
load-webhook: install $(LOCUST) $(SAM) $(MINISTACK)
	@umask 077; up=0; [ -f .dev/stack.json ] && up=1; \
	$(MAKE) --no-print-directory dev-up DEV_PORT=0 || exit 1; status=0; \
	$(WEBHOOK_LOAD) > .dev/load-webhook.log 2>&1 || status=1; \
	echo "## $(WEBHOOK_LOAD_TITLE)"; cat .dev/load-webhook.md; \
	[ $$up = 1 ] || $(MAKE) --no-print-directory dev-down; exit $$status

# The template checks CI runs: zero unsuppressed findings, each suppression justified in template.yaml.
check-template: $(SAM) $(CFN_LINT) $(CHECKOV)
	$(SAM) validate --lint
	$(CFN_LINT) --include-checks I --append-rules cfn_lint_serverless.rules -- template.yaml
	$(CHECKOV) -f template.yaml --framework cloudformation --compact --quiet --skip-download
	$(CFN_LINT) --include-checks I -- infra/edge-waf.yaml
	$(CHECKOV) -f infra/edge-waf.yaml --framework cloudformation --compact --quiet --skip-download
	$(SAM) build
	@du -sh .aws-sam/build/* | sed 's|.aws-sam/build/||'

build: $(SAM)
	$(SAM) build

# Then the site: web/ and a config.json (API URL, user pool) into the stack's bucket (infra/essays_cli/website.py).
# DEPLOY_ARGS="--parameter-overrides Name=Value ..." is merged over samconfig.toml's overrides
# (infra/deploy_args.py), never in place of them.
deploy: build install
	$(BIN)/python infra/deploy_args.py $(SAM) $(DEPLOY_ENV) $(DEPLOY_ARGS)
	$(BIN)/essays-web publish --config-env $(DEPLOY_ENV)

# Mutation testing of the modules that guard the paywall ([tool.mutmut] in pyproject.toml) with the unit
# and integration tests: prints the score per module and the survivors, fails under 95% killed.
# mutmut runs the tests in its own process, so its environment has the project's dependencies too
# (never the project itself: the mutated copy in mutants/ is what the tests import).
MUTMUT := .venv-mutmut/bin/mutmut
MUTATION_JOBS ?= 2
MUTANTS ?=
MUTMUT_REQUIREMENTS := .venv-mutmut/requirements.txt
# Rewritten only when the project's dependencies change, so editing [tool.mutmut] rebuilds nothing.
$(MUTMUT_REQUIREMENTS): pyproject.toml
	mkdir -p .venv-mutmut
	$(PYTHON) -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
		print("\n".join(p["dependencies"] + p["optional-dependencies"]["dev"]))' > $@.new
	if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi
$(MUTMUT): $(MUTMUT_REQUIREMENTS)
	$(PYTHON) -m venv .venv-mutmut
	.venv-mutmut/bin/python -m pip install --quiet 'mutmut==3.8.1' -r $(MUTMUT_REQUIREMENTS)
	touch $(MUTMUT)
mutation: $(MUTMUT) $(MINISTACK)
	mkdir -p mutants && ln -sfn ../.venv-ministack mutants/.venv-ministack  # the meter's concurrency test runs it
	date +%s > mutants/.run-started
	HYPOTHESIS_PROFILE=mutation .venv-mutmut/bin/python infra/mutmut_run.py run --max-children $(MUTATION_JOBS) $(MUTANTS)
	.venv-mutmut/bin/python infra/mutmut_run.py results --all true \
		| .venv-mutmut/bin/python infra/mutation_report.py infra/mutation-equivalents.txt mutants/.run-started

bench: install $(MINISTACK)
	$(BIN)/essays-bench $(BENCH_ARGS)

bench-full: install $(MINISTACK)
	$(BIN)/essays-bench --full $(BENCH_ARGS)

# ---- sam build (BuildMethod: makefile) ---------------------------------------------------------
# No Docker and no local Python 3.12 needed: the layer gets wheels for the target platform from pip,
# and each function's artifact holds only its own folder. essays-dev sets LAYER_PIP_TARGET empty and
# PYTHON to the emulator's, for wheels that run on this machine.
LAYER_PIP_TARGET ?= --platform manylinux2014_aarch64 --implementation cp --python-version 3.12 --only-binary=:all:

# Bytecode, compiled by the Python the functions run on: Lambda's file system is read-only, so a module
# shipped without it is compiled again at every cold start (ours, Powertools, typing_extensions...).
# unchecked-hash: an artifact never changes once built. For AWS (LAYER_PIP_TARGET set)
# that takes a Python 3.12 on this machine; without one the artifacts ship as source, and say so.
define compile_bytecode
	@py="$(if $(LAYER_PIP_TARGET),$(EMULATOR_PYTHON),$(PYTHON))"; \
	if [ -n "$(LAYER_PIP_TARGET)" ] && ! $$py -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))'; then \
		echo "no Python 3.12 here: $(1) ships without bytecode (slower cold starts)"; \
	else $$py -m compileall -q -j 0 --invalidation-mode unchecked-hash $(1); fi
endef

build-SharedLayer:
	mkdir -p $(ARTIFACTS_DIR)/python
	$(PYTHON) -m pip install --quiet --no-compile --target $(ARTIFACTS_DIR)/python $(LAYER_PIP_TARGET) \
		-r infra/layer-requirements.txt
	cp -r shared $(ARTIFACTS_DIR)/python/
	find $(ARTIFACTS_DIR)/python/shared -name __pycache__ -prune -exec rm -rf {} +
	$(call compile_bytecode,$(ARTIFACTS_DIR)/python)

# stripe and its requests, for the billing and webhook functions only. Whatever the shared layer
# already has (typing_extensions, urllib3 from the runtime's botocore...) is not shipped twice.
build-StripeLayer:
	mkdir -p $(ARTIFACTS_DIR)/python
	$(PYTHON) -m pip install --quiet --no-compile --target $(ARTIFACTS_DIR)/python $(LAYER_PIP_TARGET) \
		-r infra/stripe-layer-requirements.txt
	$(call compile_bytecode,$(ARTIFACTS_DIR)/python)

# A function's artifact: its own folder only (the shared code is in the layer).
define build_function
	mkdir -p $(ARTIFACTS_DIR)/functions/$(1)
	cp functions/__init__.py $(ARTIFACTS_DIR)/functions/
	cp -r functions/$(1)/. $(ARTIFACTS_DIR)/functions/$(1)/
	find $(ARTIFACTS_DIR)/functions -name __pycache__ -prune -exec rm -rf {} +
endef

build-%Function:
	$(call build_function,$(shell echo $* | tr '[:upper:]' '[:lower:]'))
	$(call compile_bytecode,$(ARTIFACTS_DIR)/functions)

# The submissions function converts .docx uploads (mammoth); the review function publishes with the
# loader's own code (infra/essays_cli/loading) and what it needs: each carries its own, no other function.
build-SubmissionsFunction:
	$(call build_function,submissions)
	$(PYTHON) -m pip install --quiet --no-compile --target $(ARTIFACTS_DIR) $(LAYER_PIP_TARGET) \
		-r infra/submissions-requirements.txt
	$(call compile_bytecode,$(ARTIFACTS_DIR))

build-ReviewFunction:
	$(call build_function,review)
	$(PYTHON) -m pip install --quiet --no-compile --target $(ARTIFACTS_DIR) $(LAYER_PIP_TARGET) \
		-r infra/review-requirements.txt
	mkdir -p $(ARTIFACTS_DIR)/essays_cli
	cp infra/essays_cli/__init__.py infra/essays_cli/invalidation.py $(ARTIFACTS_DIR)/essays_cli/
	cp -r infra/essays_cli/loading $(ARTIFACTS_DIR)/essays_cli/
	find $(ARTIFACTS_DIR)/essays_cli -name __pycache__ -prune -exec rm -rf {} +
	$(call compile_bytecode,$(ARTIFACTS_DIR))
