"""The projector's answers: which runs have embeddings, their configs, and the bytes of their
tensors, metadata, sprites and bookmarks, found through the data provider's run assets."""

from __future__ import annotations

import collections
import threading

import numpy as np
from google.protobuf import json_format

from tbcore.data.provider import DataProvider
from tbcore.errors import InvalidArgumentError
from tbcore_projector.asset_paths import AssetPathError, run_folder
from tbcore_projector.discovery import RunAssets, RunProjector, discover
from tbcore_projector.sniff import image_mime_type
from tbcore_projector.tensor_bundle import BundleError
from tbcore_projector.tensor_files import TensorFileError, parse_tensor_file

ROOT = "."
"""The logdir's own folder as a run name."""
TENSOR_CACHE_SIZE = 2
"""Parsed tensors kept (a 100,000 x 128 tensor is 51 MB)."""


class ProjectorFiles:
    """The projector's reads for one data provider. ``logdir`` (the server's) lets absolute
    paths in configs be placed in their run; tensors are cached by run, file and size."""

    def __init__(self, provider: DataProvider, logdir: str) -> None:
        self.provider, self.logdir = provider, logdir
        self._tensors: collections.OrderedDict[tuple[object, ...], np.ndarray] = (
            collections.OrderedDict()
        )
        self._lock = threading.Lock()
        self._loading = threading.Lock()
        self._shapes: dict[tuple[str, str, int], list[int] | None] = {}  # one load at a time: concurrent asks share it

    def _assets(self, run: str) -> RunAssets:
        return RunAssets.of(self.provider, run, run_folder(self.logdir, run), self._shapes)

    def _candidates(self) -> list[str]:
        """The provider's runs, then the logdir's root (``.``) when it is not one: as in
        TensorBoard, a config and checkpoint saved beside the runs count as run ``.``."""
        names = [run.run_name for run in self.provider.list_runs()]
        return names if ROOT in names else [*names, ROOT]

    def runs(self) -> list[str]:
        """The runs that have at least one embedding, in the provider's order."""
        return [name for name in self._candidates() if discover(self._assets(name)) is not None]

    def run(self, run: str) -> tuple[RunProjector, RunAssets]:
        """The completed config of ``run``; a 400 when it has none."""
        if not run:
            raise InvalidArgumentError('query parameter "run" is required')
        unknown = InvalidArgumentError(f'Unknown run: "{run}"')
        if run not in self._candidates():
            raise unknown
        assets = self._assets(run)
        found = discover(assets)
        if found is None:
            raise unknown
        return found, assets

    def info(self, run: str) -> str:
        """The run's ``ProjectorConfig`` as JSON, as TensorBoard's ``info`` route writes it."""
        found, _ = self.run(run)
        return json_format.MessageToJson(found.config)

    def tensor(self, run: str, name: str, num_rows: int | None = None) -> np.ndarray:
        """The embedding ``name`` of ``run`` as float32 ``[N, D]`` (its first ``num_rows``)."""
        found, assets = self.run(run)
        if name == "":
            raise InvalidArgumentError('query parameter "name" is required')
        embedding = found.embedding(name)
        if embedding is not None and embedding.tensor_path:
            try:
                path = assets.resolve(embedding.tensor_path, found.config_folder)
            except AssetPathError as e:
                raise InvalidArgumentError(str(e)) from e
            if path not in assets.sizes:
                raise InvalidArgumentError(f'Tensor file "{embedding.tensor_path}" does not exist')
            key: tuple[object, ...] = (run, path, assets.sizes[path], tuple(embedding.tensor_shape))
            tensor = self._cached(key, lambda: self._read_tensor_file(assets, path, embedding))
        else:
            bundle = found.bundle
            if bundle is None or not bundle.has_tensor(name):
                raise InvalidArgumentError(
                    f'Tensor "{name}" not found in checkpoint dir '
                    f'"{found.config.model_checkpoint_path}"'
                )
            index = (found.checkpoint_prefix or "") + ".index"
            key = (run, index, assets.sizes.get(index), name)
            tensor = self._cached(key, lambda: self._read_checkpoint_tensor(found, name))
        if num_rows:
            tensor = tensor[:num_rows]
        return tensor

    def _read_tensor_file(self, assets: RunAssets, path: str, embedding: object) -> np.ndarray:
        shape = list(getattr(embedding, "tensor_shape", []))
        try:
            return parse_tensor_file(assets.read(path), shape).astype(np.float32, copy=False)
        except TensorFileError as e:
            raise InvalidArgumentError(f"tensor file {path!r}: {e}") from e

    def _read_checkpoint_tensor(self, found: RunProjector, name: str) -> np.ndarray:
        assert found.bundle is not None
        try:
            values = found.bundle.tensor(name)
        except BundleError as e:
            raise InvalidArgumentError(str(e)) from e
        if values.dtype == object:
            raise InvalidArgumentError(f'Tensor "{name}" holds strings, not numbers')
        return values.astype(np.float32, copy=False)

    def _cached(self, key: tuple[object, ...], load: object) -> np.ndarray:
        with self._lock:
            if key in self._tensors:
                self._tensors.move_to_end(key)
                return self._tensors[key]
        assert callable(load)
        with self._loading:
            with self._lock:
                if key in self._tensors:  # loaded by the request this one waited for
                    return self._tensors[key]
            tensor = np.ascontiguousarray(load())
            tensor.flags.writeable = False
            with self._lock:
                self._tensors[key] = tensor
                while len(self._tensors) > TENSOR_CACHE_SIZE:
                    self._tensors.popitem(last=False)
        return tensor

    def _file_of(self, run: str, name: str, kind: str) -> tuple[bytes, str]:
        """The bytes of the ``metadata``, ``bookmarks`` or ``sprite`` file of an embedding."""
        found, assets = self.run(run)
        if name == "":
            raise InvalidArgumentError('query parameter "name" is required')
        embedding = found.embedding(name)
        path = ""
        if embedding is not None:
            path = {
                "metadata": embedding.metadata_path,
                "bookmarks": embedding.bookmarks_path,
                "sprite image": embedding.sprite.image_path,
            }[kind]
        if not path:
            raise InvalidArgumentError(
                f'No {kind} file found for tensor "{name}" in the config file "{found.config_path}"'
            )
        try:
            asset = assets.resolve(path, found.config_folder)
        except AssetPathError as e:
            raise InvalidArgumentError(str(e)) from e
        if asset not in assets.sizes:
            raise InvalidArgumentError(f'"{path}" not found, or is not a file')
        return assets.read(asset), asset

    def metadata(self, run: str, name: str, num_rows: int | None = None) -> str:
        """The metadata TSV of an embedding, header row kept, limited to ``num_rows`` rows."""
        data, _ = self._file_of(run, name, "metadata")
        text = data.decode("utf-8", "replace")
        parts = text.split("\n")  # lines as TensorBoard reads them: only "\n" ends one
        lines = [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
        if num_rows:
            header = 1 if lines and "\t" in lines[0] else 0
            lines = lines[: num_rows + header]
        return "".join(lines)

    def bookmarks(self, run: str, name: str) -> bytes:
        """The bookmarks JSON file of an embedding, as it is."""
        return self._file_of(run, name, "bookmarks")[0]

    def sprite_image(self, run: str, name: str) -> tuple[bytes, str]:
        """The sprite image of an embedding and its MIME type."""
        data, _ = self._file_of(run, name, "sprite image")
        return data, image_mime_type(data)
