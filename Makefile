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

# One worker more than there are cores (a test file per worker): a quarter of the suite's time
# is spent waiting on browsers, servers and writer processes. The 15 slowest tests are named.
test: install
	.venv/bin/python -m pytest -n $$(( $$(nproc) + 1 )) --dist loadfile --durations=15

check-protos:
	.venv/bin/python scripts/gen_protos.py --check
