# Two commands do everything on a fresh machine (see the README):
#   make course   set up the environment, regenerate exercises/, build the student kit and the book site
#   make test     set up the test environment (torch, chromium) and run every test
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# tools that call other tools by name (nbgrader runs `alembic`) find the environment's own
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: course setup release kit book serve test chromium benchmark benchmark-site benchmark-grading constraints clean

course: release kit book

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

release: setup     ## exercises/ from solutions/ (commit the result)
	$(PY) -m autograder release

kit: setup         ## the student kit: _build/kit/nnopt-course-kit.zip (and unpacked beside it)
	$(PY) -m autograder kit

book: setup        ## the static site in _build/html (execution cache in _build/.jupyter_cache)
	$(VENV)/bin/jupyter-book build . -W -n --keep-going
	@echo "open _build/html/index.html, or serve the folder _build/html with any static web server"

serve: book
	$(PY) -m http.server --directory _build/html 8000 --bind 127.0.0.1

test: $(VENV)/.installed-dev chromium
	$(PY) -m pytest

chromium:          ## Debian's chromium for the browser tests (never a downloaded browser)
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

benchmark: setup   ## live explorer redraw times (JupyterLab), per explorer
	$(PY) benchmarks/widgets.py

benchmark-site: $(VENV)/.installed-dev chromium  ## first-view bytes of every page and explorer move times (after make book)
	$(PY) benchmarks/site.py _build/html

benchmark-grading: setup  ## the autograder vs serial nbgrader autograde on a synthetic class (many minutes)
	$(PY) benchmarks/grading.py $(if $(STUDENTS),--students $(STUDENTS))

constraints:       ## pin every installed version after changing requirements*.txt
	$(PY) -m pip freeze --exclude-editable | grep -viE '^(torch|nnopt)==' | \
	  sed '1i # Every package of the course environment, tested together (make constraints).' > constraints.txt

clean:
	rm -rf _build
