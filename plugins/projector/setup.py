"""Build hook: the optional C epoch of UMAP's gradient descent (``tbcore_projector._umapsgd``).

Everything else about the distribution is declared in pyproject.toml. The extension is
optional: where no C compiler is available the numpy UMAP (the same kind of layout, slower)
is used instead.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "tbcore_projector._umapsgd",
            sources=["tbcore_projector/_umapsgd.c"],
            extra_compile_args=["-O3", "-std=c99"],
            optional=True,
        )
    ],
)
