"""Names shared with the writers and with TensorBoard."""

PROJECTOR_PLUGIN_NAME = "projector"
"""The projector dashboard's name. It reads files of runs (``projector_config.pbtxt``), not
series."""

CONFIG_FILE = "projector_config.pbtxt"
"""The text-format ``ProjectorConfig`` that torch's ``add_embedding``, tensorboardX and
TensorFlow's ``projector.visualize_embeddings`` write into a run's folder."""

PLUGIN_ASSETS_FOLDER = "plugins/org_tensorflow_tensorboard_projector"
"""Where TensorFlow 1's plugin assets put the config, relative to the run."""

MESH_PLUGIN_NAME = "mesh"
"""``plugin_data.plugin_name`` of mesh summaries: one tensor series per part (vertices,
faces, colours) of each mesh, all carrying the mesh's name in ``MeshPluginData``."""
