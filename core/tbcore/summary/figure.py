"""Rendering matplotlib figures to RGB pixels through the Agg canvas, as torch's add_figure does."""

from __future__ import annotations

from typing import Any

import numpy as np

from tbcore.summary._optional import require


def figure_to_hwc(figure: Any, close: bool = True) -> np.ndarray:
    """The RGB pixels ``[H, W, 3]`` (uint8) of a matplotlib ``figure``; closes it in pyplot
    afterwards when ``close`` is true."""
    backend_agg = require("matplotlib.backends.backend_agg", "matplotlib", "add_figure")
    figure_class = require("matplotlib.figure", "matplotlib", "add_figure").Figure
    if not isinstance(figure, figure_class):
        raise TypeError(
            f"add_figure needs a matplotlib Figure or a list of them, got {type(figure).__name__}"
        )
    canvas = backend_agg.FigureCanvasAgg(figure)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    pixels = rgba[:, :, :3].copy()
    if close:
        require("matplotlib.pyplot", "matplotlib", "add_figure").close(figure)
    return pixels


def figures_to_nhwc(figures: list[Any], close: bool = True) -> np.ndarray:
    """The pixels ``[N, H, W, 3]`` of several figures of one size."""
    if not figures:
        raise ValueError("add_figure got an empty list of figures")
    images = [figure_to_hwc(f, close) for f in figures]
    sizes = {image.shape for image in images}
    if len(sizes) > 1:
        raise ValueError(
            f"add_figure needs figures of one size to tile them, got pixel shapes {sorted(sizes)}"
        )
    return np.stack(images)
