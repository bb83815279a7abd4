"""XProf's own numbers for a profile, run as a script by the tests (``python xprof_reference.py
TOOL PROFILE.xplane.pb``) so that XProf's converter stays out of the pytest process. Prints
the tool's tables as JSON: a list of tables, each a list of rows ``{column id: value}``.
XProf works on a copy (it may cache results beside the file)."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from xprof.convert import raw_to_tool_data


def main(tool: str, profile: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / profile.name
        shutil.copyfile(profile, copy)
        data, _ = raw_to_tool_data.xspace_to_tool_data([str(copy)], tool, {"use_saved_result": False})
    tables = json.loads(data)
    tables = tables if isinstance(tables, list) else [tables]
    out = [
        [{col["id"]: (cell or {}).get("v") for col, cell in zip(table["cols"], row["c"])}
         for row in table.get("rows") or []]
        for table in tables if isinstance(table, dict) and "cols" in table
    ]
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
