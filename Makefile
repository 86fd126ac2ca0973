# Two commands do everything: `make demo` (set up, write the demo report, open
# the app) and `make test` (set up, then run the tests). Both create .venv on
# first use. `make report` writes the report without starting the app.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
EVENT  ?= corpus/lachin-road-2022
OUT    ?= out

.PHONY: setup demo report app test test-all bench clean

setup: $(VENV)/.installed

# torch first, pinned to the local CPU build: an unpinned torch (pulled in by
# sentence-transformers) would download a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[test,batch]'
	touch $@

demo: report app

report: setup
	mkdir -p $(OUT)
	$(BIN)/narrative-compare report $(EVENT) --format html --out $(OUT)/$(notdir $(EVENT)).html
	@echo "Open $(OUT)/$(notdir $(EVENT)).html in a browser."

# The app opens on the demo event at http://localhost:8501 (Ctrl+C stops it).
app: setup
	$(BIN)/streamlit run app.py

# The layer contract (pyproject.toml, [tool.importlinter]) first, then the tests.
test: setup
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q

test-all: setup
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -m ''

bench: setup
	$(BIN)/python benchmarks/engine.py
	$(BIN)/python benchmarks/app_speed.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
