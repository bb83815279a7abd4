"""Which runs belong to a trial, and each run's hparams: the one definition other dashboards
(the scalars dashboard's grouping by an hparam value) read.

A run belongs to the session that is the run itself or its nearest parent folder holding a
session (``trial-3`` and its ``trial-3/train``, ``trial-3/validation``). torch's and
tensorboardX's ``add_hparams`` write a trial into a child run named by the time
(``<run>/<time>``) beside the run's curves: a run that is no session, lies in none, and whose
only child session is that one belongs to it too.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from typing import Any

from tbcore.data.provider import DataProvider
from tbcore_hparams.metrics import owning_session
from tbcore_hparams.model import SessionInfo, read_hparams_data


def run_sessions(runs: Iterable[str], sessions: Mapping[str, SessionInfo]) -> dict[str, str]:
    """``{run: session}`` for every run of ``runs`` that belongs to a session."""
    runs = list(runs)
    owned = {run: s for run in runs if (s := owning_session(sessions, run)) is not None}
    children: dict[str, list[str]] = {}
    for session in sessions:
        parent = posixpath.dirname(session)
        if parent:
            children.setdefault(parent, []).append(session)
    for run in runs:
        kids = children.get(run)
        if run not in owned and kids is not None and len(kids) == 1:
            owned[run] = kids[0]
    return owned


def trial_runs(runs: Iterable[str], sessions: Mapping[str, SessionInfo], trial: Iterable[str]) -> list[str]:
    """The runs (in ``runs``' order) that belong to one of the sessions ``trial``."""
    wanted = set(trial)
    return [run for run, session in run_sessions(runs, sessions).items() if session in wanted]


def run_hparams(provider: DataProvider) -> dict[str, Any]:
    """``{"hparams": [name, ...], "runs": {run: {name: value}}}``: the hparam names, sorted,
    and the hparams (numbers, strings, booleans) of every run that belongs to a session."""
    sessions = read_hparams_data(provider).sessions
    runs = [r.run_name for r in provider.list_runs()]
    out: dict[str, dict[str, Any]] = {}
    for run, session in run_sessions(runs, sessions).items():
        values = {k: v for k, v in sessions[session].start.hparams.items() if isinstance(v, bool | float | str)}
        if values:
            out[run] = values
    names = sorted({name for values in out.values() for name in values})
    return {"hparams": names, "runs": dict(sorted(out.items()))}
