"""The scalar curves of one trial, for the dashboard's trial view."""

from __future__ import annotations

from typing import Any

from tbcore.data.provider import DataProvider, RunTagFilter
from tbcore.errors import InvalidArgumentError
from tbcore.server.responses import finite_floats
from tbcore_hparams.metadata import SCALARS_PLUGIN_NAME
from tbcore_hparams.model import read_hparams_data
from tbcore_hparams.runs import trial_runs

MAX_SESSIONS = 1000


def trial_scalars(provider: DataProvider, sessions: list[str]) -> dict[str, Any]:
    """``{"runs": {run: {tag: {"step": [...], "value": [...]}}}}``: every point of every
    scalar series of the runs that belong to ``sessions`` (see :mod:`tbcore_hparams.runs`).
    Sessions that do not exist are ignored."""
    if not sessions:
        raise InvalidArgumentError("session must be given (once per session of the trial)")
    if len(sessions) > MAX_SESSIONS:
        raise InvalidArgumentError(f"at most {MAX_SESSIONS} sessions at once")
    known = read_hparams_data(provider).sessions
    runs = trial_runs([r.run_name for r in provider.list_runs()], known, sessions)
    data = provider.read_scalars(plugin_name=SCALARS_PLUGIN_NAME, run_tag_filter=RunTagFilter.of(runs))
    return {
        "runs": {
            run: {
                tag: {"step": cols.step.tolist(), "value": finite_floats(cols.value)}
                for tag, cols in sorted(data[run].items())
            }
            for run in runs
            if run in data
        }
    }
