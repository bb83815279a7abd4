"""Build hook for the optional C accelerator of the event-file scanner.

Everything else about the distribution is declared in pyproject.toml. The extension is
optional: where no C compiler is available the pure-Python scanner (identical results,
tested against the C one) is used instead.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "tbcore.io._recordscan",
            sources=["core/tbcore/io/_recordscan.c"],
            extra_compile_args=["-O3", "-std=c99"],
            optional=True,
        )
    ]
)
