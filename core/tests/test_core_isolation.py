"""The core imports no plugin or adapter package."""

import pkgutil
import subprocess
import sys

import tbcore


def test_importing_every_core_module_loads_no_plugin_or_adapter() -> None:
    modules = [m.name for m in pkgutil.walk_packages(tbcore.__path__, "tbcore.")]
    assert "tbcore.server.app" in modules and "tbcore.data.logdir_provider" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.startswith('tbcore_'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
