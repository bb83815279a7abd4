"""The PR-curves dashboard: precision against recall per run, at every step written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tbcore.data.provider import DataProvider, RunTagFilter, TensorDatum
from tbcore.errors import InvalidArgumentError, NotFoundError
from tbcore.plugin import Plugin
from tbcore.server.responses import FiniteJSONResponse, JSONResponse, finite_floats
from tbcore.server.tag_listing import tag_listing
from tbcore_scalars.metadata import (
    FALSE_NEGATIVES,
    FALSE_POSITIVES,
    PR_CURVES_PLUGIN_NAME,
    PRECISION,
    RECALL,
    TRUE_NEGATIVES,
    TRUE_POSITIVES,
)


def pr_entry(datum: TensorDatum) -> dict[str, Any]:
    """One step's curve in TensorBoard's shape; thresholds past the last one with any
    predicted positive are cut, as TensorBoard does."""
    data = np.asarray(datum.numpy, dtype=np.float64)
    positives = data[[TRUE_POSITIVES, FALSE_POSITIVES], :].astype(np.int64).sum(axis=0)
    nonzero = np.flatnonzero(positives[1:]) + 1
    end = int(nonzero[-1]) + 1 if nonzero.size else 1
    counts = {
        name: data[row, :end].astype(np.int64).tolist()
        for name, row in (
            ("true_positives", TRUE_POSITIVES),
            ("false_positives", FALSE_POSITIVES),
            ("true_negatives", TRUE_NEGATIVES),
            ("false_negatives", FALSE_NEGATIVES),
        )
    }
    return {
        "wall_time": datum.wall_time,
        "step": datum.step,
        "precision": finite_floats(np.asarray(datum.numpy)[PRECISION, :end]),
        "recall": finite_floats(np.asarray(datum.numpy)[RECALL, :end]),
        **counts,
        "thresholds": np.linspace(0.0, 1.0, data.shape[1])[:end].tolist(),
    }


def pr_curves(provider: DataProvider, runs: list[str], tag: str) -> dict[str, list[dict[str, Any]]]:
    """``{run: [entry per step]}``; every step. Raises when a run lacks the tag."""
    if not runs:
        raise InvalidArgumentError("No runs provided when fetching PR curve data")
    if not tag:
        raise InvalidArgumentError("No tag provided when fetching PR curve data")
    data = provider.read_tensors(plugin_name=PR_CURVES_PLUGIN_NAME, run_tag_filter=RunTagFilter.of(runs, [tag]))
    out = {}
    for run in runs:
        points = data.get(run, {}).get(tag)
        if points is None:
            raise NotFoundError(f"No PR curves could be found for run {run!r} and tag {tag!r}")
        out[run] = [pr_entry(d) for d in points]
    return out


def tags_index(provider: DataProvider) -> dict[str, dict[str, dict[str, str]]]:
    """``{run: {tag: {displayName, description}}}`` of PR-curve series."""
    return tag_listing(provider.list_tensors(plugin_name=PR_CURVES_PLUGIN_NAME))


class PrCurvesPlugin(Plugin):
    """Precision-recall curves."""

    name = "pr_curves"
    title = "PR Curves"
    order = 12
    data_plugin_names = (PR_CURVES_PLUGIN_NAME,)
    static_dir = Path(__file__).parent / "static"
    frontend = "pr_curves.js"

    def routes(self) -> list[BaseRoute]:
        """``tags`` and ``pr_curves``, as in TensorBoard."""
        return [Route("/tags", self.tags), Route("/pr_curves", self.curves)]

    def write_demo_data(self, logdir: Path) -> None:
        """A classifier's PR curve over a few steps."""
        from tbcore_scalars.demo import write_pr_curves_demo

        write_pr_curves_demo(logdir)

    def tags(self, request: Request) -> Response:
        """Tags per run."""
        return JSONResponse(tags_index(self.provider))

    def curves(self, request: Request) -> Response:
        """``?run=a&run=b&tag=t``."""
        q = request.query_params
        return FiniteJSONResponse(pr_curves(self.provider, q.getlist("run"), q.get("tag", "")))
