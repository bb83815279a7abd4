"""Names: the dashboard's, and the plugin names of the series it shows."""

from tbcore_histograms.metadata import PLUGIN_NAME as HISTOGRAMS
from tbcore_media.metadata import IMAGES_PLUGIN_NAME as IMAGES
from tbcore_scalars.metadata import PLUGIN_NAME as SCALARS

PLUGIN_NAME = "timeseries"
"""The dashboard (and TensorBoard 2.x's route prefix, ``/data/plugin/timeseries/``)."""

DATA_PLUGIN_NAMES = (SCALARS, HISTOGRAMS, IMAGES)
"""The series kinds the dashboard shows, as TensorBoard's ``plugin`` field names them."""

SINGLE_RUN_PLUGINS = frozenset({HISTOGRAMS, IMAGES})
"""Kinds whose ``timeSeries`` requests must name a run."""

SAMPLED_PLUGINS = frozenset({IMAGES})
"""Kinds whose ``timeSeries`` requests must name a sample (an image's index within a step)."""

IMAGE_HEADER_BLOBS = 2
"""An image series' blobs start with the width and height, then the images."""
