# tokensim: two commands do everything on a fresh machine.
#   make run    create .venv, install, run the main job
#   make test   install the test extras and run the whole suite
# Compiling contracts (make contracts) needs Node.js; running does not.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
NPM_STAMP := contracts/node_modules/.package-lock.json
HARDHAT_STAMP := tools/hardhat/node_modules/.package-lock.json
TREX_STAMP := tools/trex/node_modules/.package-lock.json

.PHONY: run test contracts trex bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

$(NPM_STAMP): contracts/package.json contracts/package-lock.json
	cd contracts && npm ci --no-audit --no-fund --loglevel=error

$(HARDHAT_STAMP): tools/hardhat/package.json tools/hardhat/package-lock.json
	cd tools/hardhat && npm ci --no-audit --no-fund --loglevel=error

# ERC-3643 (T-REX) and ONCHAINID artifacts, loaded at run time (GPL-3.0: never copied in)
$(TREX_STAMP): tools/trex/package.json tools/trex/package-lock.json
	cd tools/trex && npm ci --no-audit --no-fund --loglevel=error

trex: $(TREX_STAMP)

run: $(VENV)/.installed
	$(BIN)/tokensim run reg_d_506b_lifecycle --force

test: $(VENV)/.installed-test $(NPM_STAMP) $(HARDHAT_STAMP) $(TREX_STAMP)
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

contracts: $(VENV)/.installed $(NPM_STAMP)
	$(BIN)/tokensim compile

bench: $(VENV)/.installed
	$(BIN)/python bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) contracts/node_modules tools/hardhat/node_modules tools/trex/node_modules runs .pytest_cache
