# Two commands set up a fresh machine: `make demo` (main job on sample data) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# JupyterLab refuses to start as root unless told to (containers and servers often run as root).
LAB_ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: demo test lab browser clean

# The venv from the pinned lock, the package in it (editable), and a kernel named "workbench"
# inside the venv, so papermill and JupyterLab use this environment.
$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name workbench --display-name "Python (workbench)"
	touch $(STAMP)

# Unbuffered: each report's line appears as it finishes, also when the output goes to a log.
demo: $(STAMP)
	PYTHONUNBUFFERED=1 $(BIN)/workbench report run-all
	@echo "Done. The path above is the reports' index page (every report of this run, with its" \
	      "history): open it in a web browser, e.g. 'xdg-open reports/index.html' or" \
	      "file://$(CURDIR)/reports/index.html; it needs no network."

# Headless Chromium and a CJK font for the HTML report checks (Debian's packages; root on CI
# machines): without the font, Chinese labels render as empty boxes.
browser:
	@{ command -v chromium && dpkg -s fonts-noto-cjk; } >/dev/null 2>&1 || \
	  { apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

test: $(STAMP) browser
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/ $(LAB_ROOT_FLAG)

clean:
	rm -rf $(VENV) reports .pytest_cache
