"""The workspace's packages and the root distribution's extras stay in step."""

from __future__ import annotations

from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
NON_PACKAGE_EXTRAS = {"s3", "pandas", "all", "dev"}


def _pyproject(path: Path) -> dict:
    return tomllib.loads(path.read_text())


def test_every_plugin_and_adapter_has_an_extra_and_vice_versa() -> None:
    extras = _pyproject(ROOT / "pyproject.toml")["project"]["optional-dependencies"]
    packages = {}
    for folder in sorted([*ROOT.glob("plugins/*/pyproject.toml"), *ROOT.glob("adapters/*/pyproject.toml")]):
        project = _pyproject(folder)["project"]
        packages[folder.parent.name] = project["name"]
        assert project["name"] == f"tbcore-{folder.parent.name}"
        # Dashboards declare themselves; an adapter only when it adds something to the
        # server (tests/test_server_imports.py checks that none pulls in its framework).
        if folder.parent.parent.name == "plugins":
            assert "tbcore.plugins" in project.get("entry-points", {}), folder
    assert set(extras) - NON_PACKAGE_EXTRAS == set(packages)
    # The profile dashboard's extra brings the trace importers along.
    importers = [f"{packages[name]}==0.1.0" for name in ("kineto", "xplane") if name in packages]
    for name, dist in packages.items():
        assert extras[name] == [f"{dist}==0.1.0", *(importers if name == "profile" else [])]
        assert f"tbcore[{name}" in extras["all"][0] or name in extras["all"][0]


def test_core_installs_no_dashboard() -> None:
    core = _pyproject(ROOT / "pyproject.toml")["project"]["dependencies"]
    assert not [d for d in core if d.startswith("tbcore-")]
