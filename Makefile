# 政务公开目录平台 — the two commands: `make run` and `make test`.
# `make run` starts the web server, the task worker and the periodic-job loop; Ctrl-C stops all three.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
DEMO := DJANGO_SETTINGS_MODULE=catalog_portal.settings.demo
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers for `make test` (each gets its own test database); 2 = both cores of CI.
TEST_WORKERS ?= 2

.PHONY: run test venv system-deps migrate seed check lint clean messages

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

# Chromium (browser tests), LibreOffice (document rendering tests), a CJK font.
system-deps:
	bash scripts/system-deps.sh

migrate: venv
	$(DEMO) $(PY) manage.py migrate --noinput

seed: migrate
	$(DEMO) $(PY) manage.py seed_demo

run: seed
	@echo ""
	@echo "门户地址：http://$(HOST):$(PORT)/   工作台：http://$(HOST):$(PORT)/work/"
	@echo "演示账号（密码 DemoPass-2026）：demo-province 省级管理员 · demo-city 洛阳市审核员 ·"
	@echo "  demo-county 洛龙区工作人员 · demo-county2 偃师区工作人员 · demo-township 李楼街道工作人员"
	@echo ""
	@echo "后台任务进程（db_worker）和定期任务计划（periodic_jobs --loop）随网站一起启动；Ctrl-C 全部停止。"
	@$(DEMO) $(PY) manage.py db_worker --no-reload --no-startup-delay & worker=$$!; \
	$(DEMO) $(PY) manage.py periodic_jobs --loop >/dev/null & scheduler=$$!; \
	trap 'kill -TERM $$worker $$scheduler 2>/dev/null; wait $$worker $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(DEMO) $(PY) manage.py runserver $(HOST):$(PORT)

test: venv system-deps
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=25

# Layering contracts (docs/architecture.md) and ruff, as CI runs them.
lint: venv
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: venv
	$(DEMO) $(PY) manage.py check
	$(DEMO) $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles

# Refresh the zh_Hans catalog (needs GNU gettext); commit the .po and the .mo.
messages: venv
	$(DEMO) $(PY) manage.py makemessages -l zh_Hans --no-obsolete \
	  --ignore=.venv --ignore=node_modules --ignore=tests --ignore=bench --ignore=staticfiles
	$(DEMO) $(PY) manage.py compilemessages -l zh_Hans --ignore=.venv
