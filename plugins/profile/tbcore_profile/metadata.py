"""Names of the profile dashboard."""

import re

PLUGIN_NAME = "profile"
"""The dashboard's name: its tab and its URLs (``/data/plugin/profile/...``)."""

IMPORTER_NAME = re.compile(r"^[a-z0-9_-]+$")
"""What a :attr:`~tbcore_profile.importer.TraceImporter.name` must look like."""
