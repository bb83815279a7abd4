"""Where a session's metrics live: a metric ``(group, tag)`` is the scalar series ``tag`` of
the run ``<session>/<group>`` (the session's own run when the group is empty)."""

from __future__ import annotations

import posixpath
from collections.abc import Collection
from typing import Any

from tbcore.data.provider import DataProvider, RunTagFilter
from tbcore.errors import NotFoundError
from tbcore.server.responses import finite_floats
from tbcore_hparams.metadata import SCALARS_PLUGIN_NAME


def metric_run(session: str, group: str) -> str:
    """The run holding ``group``'s metrics of ``session`` (``os.path.join`` of the two,
    without a trailing ``/``, as TensorBoard names it)."""
    if not group and not session.endswith("/"):
        return session
    if group and session and not group.startswith("/") and not group.endswith("/") and not session.endswith("/"):
        return f"{session}/{group}"  # the usual case, without posixpath's work
    run = posixpath.join(session, group)
    return run[:-1] if run.endswith("/") else run


def owning_session(sessions: Collection[str], run: str) -> str | None:
    """The longest session run that is ``run`` or one of its parent folders; None if none is.

    A session at the logdir's root (``.``) owns only the run ``.`` itself, as in TensorBoard.
    """
    path = run
    while path not in sessions:
        if not path:
            return None
        path = posixpath.dirname(path)
    return path


def metric_group(run: str, session: str) -> str:
    """The group of ``run``'s metrics in ``session`` (its path relative to the session; ``""``
    for the session's own run, except that TensorBoard keeps ``.`` for a run named ``.``)."""
    group = posixpath.relpath(run, session) if run != session else "."
    if group == "." and not run.endswith("."):
        return ""
    return group


def metric_evals(provider: DataProvider, session: str, group: str, tag: str) -> list[list[Any]]:
    """Every point of a session's metric: ``[[wall_time, step, value], ...]`` (non-finite
    values as TensorBoard's strings). :class:`NotFoundError` when the series does not exist."""
    run = metric_run(session, group)
    data = provider.read_scalars(
        plugin_name=SCALARS_PLUGIN_NAME, run_tag_filter=RunTagFilter.of([run], [tag])
    )
    cols = data.get(run, {}).get(tag)
    if cols is None:
        raise NotFoundError(f"no scalar data for run={run!r}, tag={tag!r}")
    return [list(row) for row in zip(finite_floats(cols.wall_time), cols.step.tolist(), finite_floats(cols.value))]
