"""Build hooks: the optional C accelerator of the event-file scanner, and the browser libraries.

Everything else about the distribution is declared in pyproject.toml. The extension is
optional: where no C compiler is available the pure-Python scanner (identical results,
tested against the C one) is used instead. The browser libraries (``tbcore/static/vendor/``)
are built from the locked npm packages by ``scripts/build_frontend.py`` (which runs npm only
when they are missing or stale), so a wheel always carries them and a user installing it
needs no Node.
"""

import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

HERE = Path(__file__).resolve().parent
VENDOR_ENTRY = HERE / "core" / "tbcore" / "static" / "vendor" / "uPlot.esm.js"
BUILD_FRONTEND = HERE / "scripts" / "build_frontend.py"


def build_frontend() -> None:
    """Vendor the browser libraries: in a checkout the build script decides what is missing or
    stale (it runs npm only when needed); an sdist carries them already built."""
    if BUILD_FRONTEND.exists():
        subprocess.run([sys.executable, str(BUILD_FRONTEND)], check=True)
    elif not VENDOR_ENTRY.exists():
        raise SystemExit(f"{VENDOR_ENTRY} is missing and {BUILD_FRONTEND} is not available")


class BuildPyWithFrontend(build_py):
    """``build_py`` that first makes sure the vendored browser libraries exist (before the
    package data is listed, so they are part of it)."""

    def finalize_options(self) -> None:
        build_frontend()
        super().finalize_options()


class SdistWithFrontend(sdist):
    """``sdist`` that ships the vendored browser libraries, so building from it needs no npm."""

    def run(self) -> None:
        build_frontend()
        super().run()


setup(
    ext_modules=[
        Extension(
            "tbcore.io._recordscan",
            sources=["core/tbcore/io/_recordscan.c"],
            extra_compile_args=["-O3", "-std=c99"],
            optional=True,
        )
    ],
    cmdclass={"build_py": BuildPyWithFrontend, "sdist": SdistWithFrontend},
)
