# ReptiDex. `make help` lists the targets.

SHELL := /usr/bin/env bash
GO ?= go
BIN := bin
TOOLS := $(BIN)/temporal $(BIN)/stripe-mock $(BIN)/versitygw
GOLANGCI_LINT := $(BIN)/staticcheck
REDOCLY := tools/redocly/node_modules/.bin/redocly

# The test stack: its own ports, database and state, so it runs beside `make dev`.
TEST_ENV := REPTIDEX_ENV=test LOG_LEVEL=warn LOG_FORMAT=text \
	DEV_DATA_DIR=.testdata DEV_TEMPORAL_DB= DEV_TEMPORAL_HEADLESS=true \
	DATABASE_URL=postgres://reptidex_app@127.0.0.1:5432/reptidex_test?sslmode=disable \
	DATABASE_ADMIN_URL=postgres://postgres@127.0.0.1:5432/reptidex_test?sslmode=disable \
	TEMPORAL_ADDRESS=127.0.0.1:17233 TEMPORAL_TASK_QUEUE=reptidex-test \
	DEV_STRIPE_MOCK_PORT=22111 STRIPE_API_BASE=http://127.0.0.1:22111 \
	DEV_S3_PORT=17070 S3_ENDPOINT=http://127.0.0.1:17070 \
	SMTP_ADDR=127.0.0.1:11025 DEV_MAIL_HTTP_ADDR=127.0.0.1:18025 \
	RIVER_FETCH_COOLDOWN=20ms SCREENSHOT_DIR=$(CURDIR)/.testdata/screenshots

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-18s %s\n", $$1, $$2}'

.PHONY: dev
dev: tools postgres build ## Run the whole system: components, migrations, demo account, API (:8080) and worker
	LOG_FORMAT=$${LOG_FORMAT:-text} $(BIN)/reptidex dev

.PHONY: test
test: tools postgres poppler chromium build lint ## Run every test (unit and integration) against real components on test ports
	rm -rf .testdata
	@# The end-to-end tests run alone, after the rest: they kill and start worker processes and
	@# time processes on the dev server, which the API package's hostile sweep beside them starves.
	$(TEST_ENV) HOSTILE_SWEEP_REPORT=$(CURDIR)/.testdata/hostile-sweep.txt $(BIN)/reptidex stack --fresh-db -- \
		sh -c '$(GO) test -count=1 -race -timeout 20m $$($(GO) list ./... | grep -v /e2e$$) && $(GO) test -count=1 -race -timeout 20m ./e2e/'
	@cat .testdata/hostile-sweep.txt

.PHONY: test-stack
test-stack: tools postgres build ## Keep the test components up, for `make test-go` from another shell
	rm -rf .testdata
	$(TEST_ENV) $(BIN)/reptidex stack --fresh-db -- sleep infinity

.PHONY: test-go
test-go: poppler chromium ## Run `go test $(PKG) -run $(RUN)` against a running `make test-stack`
	$(TEST_ENV) REPTIDEX_STACK=1 MAILSINK_URL=http://127.0.0.1:18025 $(GO) test -count=1 $(or $(PKG),./...) $(if $(RUN),-run '$(RUN)')

.PHONY: test-migrate
test-migrate: ## Apply new migrations to a running `make test-stack`'s database
	$(TEST_ENV) $(GO) run ./cmd/reptidex migrate

.PHONY: record-histories
record-histories: ## Re-record every process's histories in workflows/*/testdata (the e2e tests *_RecordsTheHistoryOfEachPath) on a running `make test-stack`, then replay them
	RECORD_HISTORIES=1 $(MAKE) --no-print-directory test-go PKG=./e2e/ RUN='_RecordsTheHistoryOfEachPath$$'
	$(GO) test -count=1 -run Replays ./workflows/...

.PHONY: build
build: ## Build bin/reptidex
	$(GO) build -o $(BIN)/reptidex ./cmd/reptidex

.PHONY: tools
tools: $(TOOLS) ## Build the pinned Temporal CLI, stripe-mock and versitygw into bin/

$(BIN)/temporal: tools/go.mod tools/go.sum
	cd tools && $(GO) build -o ../$@ github.com/temporalio/cli/cmd/temporal
$(BIN)/stripe-mock: tools/go.mod tools/go.sum
	cd tools && $(GO) build -o ../$@ github.com/stripe/stripe-mock
$(BIN)/versitygw: tools/go.mod tools/go.sum
	cd tools && $(GO) build -o ../$@ github.com/versity/versitygw/cmd/versitygw
$(BIN)/staticcheck: tools/go.mod tools/go.sum
	cd tools && $(GO) build -o ../$@ honnef.co/go/tools/cmd/staticcheck
$(BIN)/errcheck: tools/go.mod tools/go.sum
	cd tools && $(GO) build -o ../$@ github.com/kisielk/errcheck
$(BIN)/workflowcheck: tools/go.mod tools/go.sum
	cd tools && $(GO) build -o ../$@ go.temporal.io/sdk/contrib/tools/workflowcheck

.PHONY: postgres
postgres: ## Start the local Postgres cluster if it is down
	@scripts/ensure-postgres.sh

.PHONY: poppler
poppler: ## Install poppler-utils (pdftotext, pdftoppm) if missing, for the renderer's tests
	@scripts/ensure-poppler.sh

.PHONY: chromium
chromium: ## Install Chromium if missing, for the browser tests of the pages
	@scripts/ensure-chromium.sh

$(REDOCLY): tools/redocly/package.json tools/redocly/package-lock.json
	@command -v npm >/dev/null || { echo "make lint checks the OpenAPI document with Redocly CLI, which needs Node.js 20.19+ and npm"; exit 1; }
	cd tools/redocly && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: generate
generate: ## Regenerate api/openapi.json from api/spec*.go and the Go types they name
	$(GO) test ./api/ -run '^TestOpenAPIDocumentIsGenerated$$' -count=1 -args -update

.PHONY: lint
lint: $(BIN)/staticcheck $(BIN)/errcheck $(BIN)/workflowcheck $(REDOCLY) ## gofmt, go vet, staticcheck, errcheck (unchecked errors), workflowcheck (workflow determinism) and Redocly's rules for the OpenAPI document
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^tools/') 2>/dev/null); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(BIN)/staticcheck ./...
	$(BIN)/errcheck -exclude tools/errcheck.excludes ./...
	$(GO) vet -vettool=$(CURDIR)/$(BIN)/workflowcheck ./...
	NO_UPDATE_NOTIFIER=1 REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true $(REDOCLY) lint --config tools/redocly/redocly.yaml --format=summary api/openapi.json

.PHONY: bench
bench: ## Run the Go benchmarks
	$(GO) test -run '^$$' -bench . -benchmem ./...

.PHONY: load
load: build ## Load-test GET /api/v1/me against a running `make dev` (32 clients, 30 s)
	$(GO) run ./scripts/load -base http://127.0.0.1:8080 -clients 32 -duration 30s

.PHONY: load-transfer
load-transfer: ## Offer and accept 500 transfers through a running `make dev` (16 clients); transfers/s, offer and accept latency
	$(GO) run ./scripts/loadtransfer -base http://127.0.0.1:8080 -transfers 500 -clients 16 -create-workers 8

.PHONY: load-sale
load-sale: ## Drive 200 concurrent sales through a running `make dev` as buyer, seller and Stripe; sales/min, each step's p50/p99, ratio to a no-op workflow of as many activities
	$(GO) run ./scripts/loadsale -sales 200 -clients 200 -poll 1s

.PHONY: load-webhooks
load-webhooks: ## Post 2,100 billing webhooks (300 subscriptions' months) from 50 concurrent senders to a running API (`make dev`, or the API alone: `bin/reptidex stack -- bin/reptidex api`); acknowledgement p50/p99 against the 50 ms budget
	$(GO) run ./scripts/loadwebhooks -orgs 50 -months 300 -clients 50

.PHONY: load-certificates
load-certificates: ## Issue 1,000 certificates through a running `make dev` (32 clients); certificates/s, p50/p99 request to issued, ratio to a no-op workflow of as many activities
	$(GO) run ./scripts/loadcert -certificates 1000 -animals 100 -clients 32

.PHONY: load-export
load-export: ## Export 100,000 animals loaded into a new organization of a running `make dev`; request to ready and the process's memory above idle, against the 30 s and 100 MB budget
	$(GO) run ./scripts/loadexport -animals 100000

.PHONY: load-import
load-import: ## Import a file of 10,000 animals into a new organization of a running `make dev`: the dry run and applying it, each against the 30 s budget
	$(GO) run ./scripts/loadimport -rows 10000

.PHONY: population
population: ## Load 1,000,000 simulated animals into the reptidex_bench database (drops it first)
	$(GO) run ./scripts/population -reset
	$(GO) run ./scripts/population -coi-all

.PHONY: load-lineage
load-lineage: ## Load-test GET /api/v1/lineage/{id}?generations=5 against an API on BENCH_URL (default :18580) over the bench database
	$(GO) run ./scripts/loadlineage -base $(or $(BENCH_URL),http://127.0.0.1:18580) -clients 32 -duration 30s -animals 500

.PHONY: load-pages
load-pages: ## Time each page (server time p99 against 20 ms) and weigh it (against 100 KB) on an API on BENCH_URL (default :18580) over the bench database
	$(GO) run ./scripts/loadpages -base $(or $(BENCH_URL),http://127.0.0.1:18580) -clients 1 -duration 10s

.PHONY: load-notify
load-notify: postgres ## Deliver 10,000 emails through River to an in-process SMTP sink vs a no-op job, and time in-app appearance (own database)
	$(GO) run ./scripts/loadnotify -jobs 10000 -inbox 1000 -workers 100 -fetch-cooldown 1ms

.PHONY: startup
startup: ## Time `reptidex dev` from launch until /api/v1/health/deep answers 200
	scripts/dev-startup.sh

.PHONY: clean
clean: ## Remove built binaries and test state (keeps .devdata)
	rm -rf $(BIN) .testdata
