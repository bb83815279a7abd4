# The two commands a newcomer needs: `make demo` and `make test`.

.PHONY: install install-demo demo test check-protos

# Everything the tests need (TensorFlow, torch, TensorBoard, moto, ...): skipped when nothing changed.
install:
	./scripts/dev-install.sh

# The core and the dashboards only: what the demo needs.
install-demo:
	./scripts/dev-install.sh demo

demo: install-demo
	.venv/bin/tbcore demo

# Two workers per core (a test file per worker): much of the suite's time is spent waiting on
# browsers, servers and writer processes. The 15 slowest tests are named.
test: install
	.venv/bin/python -m pytest -n $$(( $$(nproc) * 2 )) --dist loadfile --durations=15

check-protos:
	.venv/bin/python scripts/gen_protos.py --check
