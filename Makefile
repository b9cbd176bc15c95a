# Tandem: secure co-browsing on Kubernetes. `make` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NODE_TEST := node --import tsx --test --test-reporter=spec --test-concurrency=1
# Built Kubernetes binaries live outside the work tree so that every clone (and CI) reuses them.
TESTBED_CACHE ?= $(HOME)/.cache/tandem/testbed

.PHONY: help
help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([^:]+):.*## (.*)/  \1\t\2/' | expand -t 18

.PHONY: install
install: node_modules ## Install npm packages

node_modules: package.json package-lock.json server/package.json operator/package.json
	npm ci --no-audit --no-fund
	@touch node_modules

.PHONY: system-deps
system-deps: ## Install Debian packages the tests use (redis-server, chromium, haproxy, tinyproxy, containerd, mmdebstrap, ...) when missing
	@bash scripts/system-deps.sh

.PHONY: build
build: node_modules ## Build the server, snippet and agent console
	npm run build

.PHONY: run
run: ## Start one node with its embedded defaults, the demo page and the agent console (stdout: JSON log lines only)
	@# The install and build talk on stderr, so stdout holds only the node's JSON lines:
	@# `make run | jq 'select(.audit)'` works, and the audit lines can be piped on as they are.
	@$(MAKE) --no-print-directory build >&2
	@TANDEM__AGENTS__DEV_LOGIN=true node server/dist/main.js

.PHONY: images
images: system-deps build ## Build the server, operator and Redis images as OCI archives in dist/images/ (no daemon; ONLY=server,redis)
	node --import tsx images/build.ts $(if $(ONLY),--only $(ONLY))

.PHONY: check
.PHONY: codes
codes: node_modules ## Regenerate docs/codes.md from the error and audit catalogues
	node --import tsx server/src/docs/write-codes-doc.ts

.PHONY: audit-verify
audit-verify: build ## Check the audit chains in LOG (one file per node, JSON lines): make audit-verify LOG=node.log
	node server/dist/cli/tandem.js audit verify $(LOG)

check: node_modules ## Lint, format check and typecheck
	npx eslint .
	npx prettier --check .
	npm run typecheck

.PHONY: unit
unit: node_modules ## Unit tests beside the code
	$(NODE_TEST) $$(find server/src server/web operator/src bench images -name '*.test.ts' | sort)

.PHONY: e2e
e2e: build system-deps ## End-to-end tests in real Chromium
	$(NODE_TEST) $$(find test/e2e -name '*.test.ts' | sort)

.PHONY: bench
bench: system-deps node_modules build ## Benchmark suite against ws, Socket.IO, the Redis adapters and rrweb (bench/results/)
	node --import tsx bench/run.ts $(BENCH_ARGS) # pins itself and its servers with taskset; BENCH_ARGS=--smoke for a quick look
	node --import tsx bench/fidelity/cli.ts

.PHONY: fuzz
fuzz: node_modules build ## Fuzz a real node with 10,000 hostile frames (FUZZ_FRAMES=n, FUZZ_SEED=n replays a run)
	node --import tsx test/fuzz/cli.ts

.PHONY: fidelity
fidelity: system-deps node_modules ## Mirror fidelity: customer's viewport vs the agent's mirror vs rrweb's replay, pixel by pixel
	node --import tsx bench/fidelity/cli.ts

.PHONY: test
test: system-deps node_modules check build testbed images ## Install what tests need, then run every test
	$(NODE_TEST) $$(find server/src server/web operator/src bench images test -name '*.test.ts' -not -path 'test/pods/*' | sort)
	@$(MAKE) --no-print-directory test-pods-only

.PHONY: test-pods test-pods-only
test-pods: system-deps node_modules build testbed images test-pods-only ## Only the real-pod suite: a one-node Kubernetes in a network namespace (root; testbed/README.md)
test-pods-only:
	bash testbed/pods.sh $(NODE_TEST) $$(find test/pods -name '*.test.ts' | sort)

# --- Control-plane testbed: a real Kubernetes API server for the operator's tests -----------------
# See testbed/README.md. Exported so that the tests find the cache `make testbed` filled.
export TESTBED_CACHE

.PHONY: testbed
testbed: ## Build etcd, kube-apiserver, controller manager, scheduler, kwok, helm (cached)
	@bash testbed/build.sh

.PHONY: cluster-up
cluster-up: testbed node_modules ## Start the tests' control plane for kubectl; prints its kubeconfig
	@node --import tsx test/operator/harness/cluster-cli.ts up

.PHONY: cluster-down
cluster-down: node_modules ## Stop the control plane that cluster-up started
	@node --import tsx test/operator/harness/cluster-cli.ts down

# --- Operator -------------------------------------------------------------------------------------
.PHONY: operator-run
operator-run: node_modules ## Run the operator locally against the current kubeconfig
	node --import tsx operator/src/main.ts $(OPERATOR_ARGS)

.PHONY: helm-crds
helm-crds: ## Copy crds/ into the Helm chart (the helm test checks they match)
	cp crds/cobrowseclusters.tandem.dev.yaml helm/tandem-operator/crds/
