# bondkit: `make demo` runs the kit's main job, `make test` the whole test suite; both set up first.
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo test unit lab-tests notebooks lint lab bench clean site

setup:
	@bash scripts/setup.sh

demo: setup
	$(BIN)/bondkit demo

lint: setup
	$(BIN)/ruff check bondkit tests bench scripts
	$(BIN)/mypy bondkit

# Everything but the lab, as whoever runs it.
# Test files spread over workers (a file's tests stay together, sharing their fixtures): many of them
# wait on servers and subprocesses, so three workers keep two cores busy.
UNIT_JOBS ?= 3
unit: setup
	$(BIN)/pytest -q -m "not lab" -n $(UNIT_JOBS) --dist loadfile

# The lab's tests as an ordinary user (as root, CI: as the account bondkit-student) under a default
# container's seccomp filter (no namespaces, no mounts, no tun/tap): one pass shows that the lab needs
# neither root nor any of those. Nothing in the lab tries a namespace and falls back, so a second pass
# without the filter would run the same code again.
# Two workers, each with a lab of its own (tests/conftest.py): one worker keeps about one core busy,
# since most of a lab test is waiting on a guest; a file's tests stay together.
LAB_JOBS ?= 2
LAB_PYTEST := $(BIN)/pytest -q -p no:cacheprovider -m lab -n $(LAB_JOBS) --dist loadfile
lab-tests: setup
	BONDKIT_EXPECT=unprivileged,no-namespaces scripts/as_student.sh /usr/bin/python3 scripts/no_namespaces.py \
		$(LAB_PYTEST)

# Two workers, each with its notebooks' own lab (see notebooks/conftest.py): most cells wait on a guest
# or the EC2 emulator.
NB_JOBS ?= 2
notebooks: setup
	$(BIN)/pytest -q --nbval notebooks --nbval-sanitize-with notebooks/sanitize.cfg -p no:randomly \
		-n $(NB_JOBS) --dist loadfile

notebooks-build: setup
	$(BIN)/python scripts/build_notebooks.py

test: lint unit lab-tests notebooks

# JupyterLab on 127.0.0.1 with the kit's settings (widget state saved with the notebook, no news fetched).
# Jupyter refuses root without --allow-root: it is added only for root, and the line says so.
lab: setup
	@if [ "$$(id -u)" -eq 0 ]; then echo "lab: running as root, so JupyterLab is started with --allow-root"; fi
	$(BIN)/jupyter lab notebooks/ --ServerApp.ip=127.0.0.1 --LabApp.app_settings_dir=$(CURDIR)/scripts/jupyterlab-settings \
		$$( [ "$$(id -u)" -eq 0 ] && echo --allow-root )

# Every bench script prints its figures against their targets and fails on a missed one; all of them run,
# then the list of those that failed. `make bench BENCH=--quick`: each once, targets not held.
bench: setup
	@failed=""; for script in bench/bench_*.py; do echo "== $$script"; \
		$(BIN)/python $$script $(BENCH) || failed="$$failed $$script"; done; \
	if [ -n "$$failed" ]; then echo "bench: failed:$$failed"; exit 1; fi

# The browser site in build/site (scripts/build_site.py): JupyterLite with the notebooks, a self-hosted
# Pyodide kernel and the lab's two v86 guests. Serve it with
# `python3 -m http.server --bind 127.0.0.1 -d build/site` and open /lab/index.html.
site: setup
	$(BIN)/python -m pip install -q -e '.[site]'
	$(BIN)/python scripts/build_site.py

# The class's JupyterHub on this server, run as root: README, "For a class".
.PHONY: class
class: setup
	deploy/jupyterhub/start

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
