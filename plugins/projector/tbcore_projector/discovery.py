"""Finding a run's projector config among its assets and completing it as TensorBoard does:
default tensor names, shapes of tensor files, and every 2-D tensor of the run's checkpoint.

A config is looked for in the run's folder and in TensorFlow 1's plugin-asset folder
(``plugins/org_tensorflow_tensorboard_projector/``, which wins when both have one). A run
without a config still gets one when its folder holds a checkpoint (``checkpoint`` file and
the ``.index`` it names). Problems cost the path concerned, with a warning.
"""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field

from google.protobuf import text_format

from tbcore.data.provider import DataProvider
from tbcore.proto import projector_config_pb2
from tbcore_projector import checkpoints
from tbcore_projector.asset_paths import AssetPathError, resolve
from tbcore_projector.metadata import CONFIG_FILE, PLUGIN_ASSETS_FOLDER
from tbcore_projector.tensor_bundle import BundleError, TensorBundle
from tbcore_projector.tensor_files import tsv_shape

logger = logging.getLogger(__name__)

OPTIMIZER_SLOT = ".OPTIMIZER_SLOT"
"""Optimizer slots have an embedding's shape but are not embeddings (TensorBoard skips them)."""


@dataclass
class RunAssets:
    """A snapshot of one run's asset listing, and how to read them."""

    run: str
    sizes: dict[str, int]
    read: Callable[[str], bytes]
    absolute_folder: str | None = None
    shapes: dict[tuple[str, str, int], list[int] | None] = field(default_factory=dict)
    """Shapes of tensor files already counted, by (run, path, size): shared between
    snapshots, so that a large TSV file is not read again at every request."""

    @classmethod
    def of(
        cls,
        provider: DataProvider,
        run: str,
        absolute_folder: str | None,
        shapes: dict[tuple[str, str, int], list[int] | None] | None = None,
    ) -> RunAssets:
        """The assets of ``run`` as the provider lists them now."""
        sizes = {a.path: a.size for a in provider.list_run_assets(run=run)}
        return cls(
            run, sizes, lambda path: provider.read_run_asset(run=run, path=path), absolute_folder,
            shapes if shapes is not None else {},
        )

    def tensor_file_shape(self, path: str) -> list[int] | None:
        """``[rows, columns]`` of a TSV tensor file (``None`` for a binary one), counted once
        per file size."""
        key = (self.run, path, self.sizes[path])
        if key not in self.shapes:
            if len(self.shapes) > 256:
                self.shapes.clear()
            self.shapes[key] = tsv_shape(self.read(path))
        return self.shapes[key]

    def resolve(self, path: str, config_folder: str) -> str:
        """The asset path a config path names (:func:`asset_paths.resolve`)."""
        return resolve(path, config_folder, self.absolute_folder)


@dataclass
class RunProjector:
    """A run's completed config and where its files are."""

    run: str
    config: projector_config_pb2.ProjectorConfig
    config_path: str
    """Asset path of the config file (the expected one when the run has none)."""
    checkpoint_prefix: str | None = None
    bundle: TensorBundle | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def config_folder(self) -> str:
        """The asset folder of the config, against which its relative paths are read."""
        return posixpath.dirname(self.config_path)

    def embedding(self, name: str) -> projector_config_pb2.EmbeddingInfo | None:
        """The embedding named ``name`` (``x`` and ``x:0`` are the same name)."""
        canonical = _canonical(name)
        for info in self.config.embeddings:
            if _canonical(info.tensor_name) == canonical:
                return info
        return None


def _canonical(name: str) -> str:
    return name if ":" in name else name + ":0"


def _warn(run: str, message: str, *args: object) -> None:
    logger.warning("projector, run %r: " + message, run, *args)


def discover(assets: RunAssets) -> RunProjector | None:
    """The run's projector config, completed; ``None`` when it has nothing to show."""
    found = _config_in(assets, "")
    asset_config = posixpath.join(PLUGIN_ASSETS_FOLDER, CONFIG_FILE)
    if asset_config in assets.sizes:
        found = _config_in(assets, PLUGIN_ASSETS_FOLDER) or found
    if found is None:
        return None
    _complete(assets, found)
    return found if found.config.embeddings else None


def _config_in(assets: RunAssets, folder: str) -> RunProjector | None:
    config = projector_config_pb2.ProjectorConfig()
    config_path = posixpath.join(folder, CONFIG_FILE)
    if config_path in assets.sizes:
        try:
            text_format.Parse(assets.read(config_path).decode("utf-8"), config)
        except (text_format.ParseError, UnicodeDecodeError) as e:
            _warn(assets.run, "cannot parse %s: %s", config_path, e)
            return None
    has_tensor_files = False
    for embedding in config.embeddings:
        if embedding.tensor_path:
            if not embedding.tensor_name:
                embedding.tensor_name = posixpath.basename(embedding.tensor_path)
            has_tensor_files = True
            break
    found = RunProjector(assets.run, config, config_path)
    if config.model_checkpoint_path:
        try:
            prefix = assets.resolve(config.model_checkpoint_path, folder)
        except AssetPathError as e:
            _warn(assets.run, "checkpoint refused: %s", e)
            return None
        if not any(path.startswith(prefix) for path in assets.sizes):
            _warn(assets.run, "checkpoint %r not found", config.model_checkpoint_path)
            return None
        found.checkpoint_prefix = prefix
        return found
    latest = _latest_checkpoint(assets)
    if latest is None and not has_tensor_files:
        return None
    if latest is not None:
        config.model_checkpoint_path = latest
        found.checkpoint_prefix = latest
    return found


def _latest_checkpoint(assets: RunAssets) -> str | None:
    """The prefix of the checkpoint the run's ``checkpoint`` file names, if its index exists."""
    if checkpoints.CHECKPOINT_STATE_FILE not in assets.sizes:
        return None
    try:
        text = assets.read(checkpoints.CHECKPOINT_STATE_FILE).decode("utf-8")
    except UnicodeDecodeError:
        return None
    path = checkpoints.latest_checkpoint_path(text)
    if not path:
        return None
    try:
        prefix = assets.resolve(path, "")
    except AssetPathError as e:
        _warn(assets.run, "checkpoint refused: %s", e)
        return None
    return prefix if prefix + ".index" in assets.sizes else None


def _complete(assets: RunAssets, found: RunProjector) -> None:
    config = found.config
    for embedding in config.embeddings:
        if embedding.tensor_name.endswith(":0"):
            embedding.tensor_name = embedding.tensor_name[:-2]
        if not embedding.tensor_path or embedding.tensor_shape:
            continue
        try:
            path = assets.resolve(embedding.tensor_path, found.config_folder)
        except AssetPathError as e:
            _warn(assets.run, "skipping tensor path %r: %s", embedding.tensor_path, e)
            continue
        if path not in assets.sizes:
            _warn(assets.run, "tensor file %r does not exist", embedding.tensor_path)
            continue
        shape = assets.tensor_file_shape(path)
        if shape:
            embedding.tensor_shape.extend(shape)
    if found.checkpoint_prefix is None:
        return
    try:
        found.bundle = checkpoints.open_bundle(
            found.checkpoint_prefix, set(assets.sizes), assets.read
        )
    except BundleError as e:
        _warn(assets.run, "cannot read checkpoint %r: %s", found.checkpoint_prefix, e)
    if found.bundle is None:
        return
    special = None
    if config.embeddings and not config.embeddings[0].tensor_name:
        special = config.embeddings[0]
        config.embeddings.remove(special)
    for name, dims in sorted(found.bundle.shapes().items()):
        if len(dims) != 2 or OPTIMIZER_SLOT in name:
            continue
        embedding = found.embedding(name)
        if embedding is None:
            embedding = config.embeddings.add(tensor_name=name)
            if special is not None:
                embedding.metadata_path = special.metadata_path
                embedding.bookmarks_path = special.bookmarks_path
        if not embedding.tensor_shape:
            embedding.tensor_shape.extend(dims)
