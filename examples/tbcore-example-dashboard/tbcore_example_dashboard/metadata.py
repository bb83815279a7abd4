"""Names shared by the example dashboard's modules."""

PLUGIN_NAME = "example"
"""The dashboard's name: its tab, and its URLs under ``/data/plugin/example/``."""

SCALARS_PLUGIN_NAME = "scalars"
"""The data plugin of scalar series (also the one legacy ``simple_value`` events map to)."""
