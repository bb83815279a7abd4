"""Build hook: the optional C scanner of Kineto traces (``tbcore_kineto._kinetoscan``).

Everything else about the distribution is declared in pyproject.toml. The extension is
optional: where no C compiler is available the pure-Python reader (identical traces, tested
against the C one) is used instead.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "tbcore_kineto._kinetoscan",
            sources=["tbcore_kineto/_kinetoscan.c"],
            extra_compile_args=["-O3", "-std=c99"],
            optional=True,
        )
    ],
)
