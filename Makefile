# Thin wrapper around Meson. The two commands a new user needs:
#   make run    install what is missing, build, create var/sigap.db with demo data, serve on :8080
#   make test   install what is missing, build, run every test (unit, end-to-end, browser,
#               sanitizers, fuzz smoke) against SQLite and a throwaway PostgreSQL
BUILD ?= build
DB ?= var/sigap.db
LISTEN ?= 127.0.0.1:8080
# the demo signs officials in with a password alone; a real deployment keeps the
# default (two-step sign-in for every official): make run TWO_FACTOR_ROLES=officials
TWO_FACTOR_ROLES ?= none

.PHONY: all deps build run test unit e2e browser faults scale asan fuzz bench clean

all: build

deps:
	@scripts/deps.sh build

build: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD) >/dev/null
	@ninja -C $(BUILD)

run: build
	@mkdir -p $(dir $(DB))
	@[ -f $(DB) ] || $(BUILD)/sigap init --db $(DB) --demo
	@$(BUILD)/sigap demo accounts
	@echo "Two-step sign-in required for: $(TWO_FACTOR_ROLES) (demo; the default of sigap serve is officials)"
	@echo "Serving on http://$(LISTEN)/ (Ctrl-C stops)"
	@$(BUILD)/sigap serve --db $(DB) --listen $(LISTEN) --two-factor-roles $(TWO_FACTOR_ROLES)

test:
	@scripts/deps.sh test
	@scripts/test.sh all

unit e2e browser faults scale asan fuzz:
	@scripts/deps.sh test
	@scripts/test.sh $@

bench: build
	@bench/healthz.sh

clean:
	rm -rf $(BUILD) build-asan build-fuzz
