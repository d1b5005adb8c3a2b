# The two commands: `make demo` and `make test`. Everything else here serves them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEMO_DIR ?= demo_data
DEMO_SEED ?= 7
DEMO_SCALE ?= 1
APP_PORT ?= 8501

.DELETE_ON_ERROR:

.PHONY: demo test venv neo4j neo4j-stop neo4j-backup demo-data load detect app lint chromium clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

neo4j: venv
	$(PY) -m graph server start

neo4j-stop: venv
	$(PY) -m graph server stop

neo4j-backup: venv
	$(PY) -m graph server backup

demo-data: venv
	$(PY) -m loaders demo $(DEMO_DIR) --seed $(DEMO_SEED) --scale $(DEMO_SCALE)

load: neo4j demo-data
	$(PY) -m loaders csv $(DEMO_DIR) --rejects $(DEMO_DIR)/rejects.csv

detect: load
	@if [ -f detectors/__main__.py ]; then $(PY) -m detectors run --json $(DEMO_DIR)/findings.json; \
	else echo "no detectors yet"; fi

app: venv
	$(PY) -m streamlit run app.py --server.address 127.0.0.1 --server.port $(APP_PORT) \
		--server.headless true --browser.gatherUsageStats false

# The app's login password: generated once, kept outside git with mode 0600. Written to a temporary
# file and moved into place, so a failed run leaves no empty secrets file that make takes as done.
.streamlit/secrets.toml: | venv
	@mkdir -p .streamlit
	@umask 077; $(PY) -c "import secrets; print('app_password = \"' + secrets.token_urlsafe(12) + '\"')" > $@.tmp
	@mv $@.tmp $@
	@echo "Generated an app password in $@"

demo: detect .streamlit/secrets.toml
	@echo "Iron Cage: open http://localhost:$(APP_PORT) and log in with the password in .streamlit/secrets.toml"
	@grep app_password .streamlit/secrets.toml
	@echo "(Ctrl-C stops the app; 'make neo4j-stop' stops Neo4j)"
	$(MAKE) app

# Debian's Chromium for the browser test (browser downloads are impossible here), with a
# CJK font so screenshots show the Chinese names.
chromium:
	@if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/truetype/wqy ]; then \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null || echo "could not install chromium: the browser test will skip"; \
		else echo "install Debian's chromium package (sudo apt-get install chromium fonts-wqy-zenhei) for the browser test"; fi; \
	fi

test: venv chromium
	$(PY) -m pytest

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

clean:
	rm -rf $(DEMO_DIR) .pytest_cache .ruff_cache .mypy_cache
