# The two commands a newcomer needs: `make demo` and `make test`.

.PHONY: install demo test check-protos

install:
	./scripts/dev-install.sh

demo: install
	.venv/bin/tbcore demo

test: install
	.venv/bin/python -m pytest

check-protos:
	.venv/bin/python scripts/gen_protos.py --check
