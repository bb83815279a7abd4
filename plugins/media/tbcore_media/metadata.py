"""Names shared with the writers: the plugin names media summaries carry."""

IMAGES_PLUGIN_NAME = "images"
"""``plugin_data.plugin_name`` of image summaries (legacy ``Summary.Image`` values are
converted to it on ingestion): a blob sequence ``[width, height, encoded image, ...]``."""

AUDIO_PLUGIN_NAME = "audio"
"""``plugin_data.plugin_name`` of audio summaries (legacy ``Summary.Audio`` values are
converted to it on ingestion): a blob sequence of encoded clips (WAV), plus labels."""

TEXT_PLUGIN_NAME = "text"
"""``plugin_data.plugin_name`` of text summaries: a string tensor of any rank."""
