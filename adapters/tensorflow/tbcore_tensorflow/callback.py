"""``TensorBoard``: Keras's TensorBoard callback, written through ``tbcore.summary``.

It takes the arguments of ``keras.callbacks.TensorBoard`` and writes what that callback
writes, as TensorBoard reads it, on every Keras backend. Where Keras's callback loses data
because of how ``tf.summary.record_if`` leaks between its writers (with an integer
``update_freq``, ``epoch_*`` scalars and weight histograms of an epoch whose last batch
number is not a multiple of it are dropped, and so are ``evaluation_*`` scalars after an
evaluation whose batch count is not), this one writes them, as Keras documents.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

import keras
import numpy as np

from tbcore.proto import summary_pb2
from tbcore.summary import SummaryWriter
from tbcore_tensorflow import summaries
from tbcore_tensorflow.profiling import Profiler

logger = logging.getLogger(__name__)


class TensorBoard(keras.callbacks.Callback):
    """Logs metrics, weights, the model's config, embeddings and profiles for TensorBoard
    and tbcore, with the arguments of ``keras.callbacks.TensorBoard``.

    ``log_dir`` gets a ``train`` and a ``validation`` run. ``update_freq`` is ``"epoch"``,
    ``"batch"`` (= 1) or every how many batches ``batch_*`` scalars are written.
    ``histogram_freq`` (epochs) writes a histogram per weight, and with ``write_images`` an
    image per weight that can be drawn. ``write_graph`` writes the model's config (the
    conceptual graph of Sequential and Functional models), and on the TensorFlow backend the
    op graph of the training step. ``profile_batch`` (an int or a ``(start, stop)`` pair of
    batches) profiles those batches with the backend's profiler, into the ``train`` run.
    ``embeddings_freq`` (epochs) writes every ``Embedding`` layer's matrix for the projector,
    labelled by ``embeddings_metadata`` (a file for all layers, or one per layer name).
    """

    def __init__(
        self,
        log_dir: str | os.PathLike[str] = "logs",
        histogram_freq: int = 0,
        write_graph: bool = True,
        write_images: bool = False,
        write_steps_per_second: bool = False,
        update_freq: str | int = "epoch",
        profile_batch: int | str | tuple[int, int] | list[int] = 0,
        embeddings_freq: int = 0,
        embeddings_metadata: str | dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq: str | int = 1 if update_freq == "batch" else update_freq
        if self.update_freq != "epoch" and not (isinstance(self.update_freq, int) and self.update_freq > 0):
            raise ValueError(f"update_freq must be 'epoch', 'batch' or a positive integer, got {update_freq!r}")
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._start_batch, self._stop_batch = _profile_range(profile_batch)
        self._profiler: Profiler | None = None
        self._writers: dict[str, SummaryWriter] = {}
        self._global_train_batch = 0
        self._global_test_batch = 0
        self._epoch_start_iterations = 0
        self._epoch_start_time = 0.0
        self._batch_start_time = 0.0
        self._should_write_train_graph = False

    # --- writers ---------------------------------------------------------------------

    def _writer(self, run: str) -> SummaryWriter:
        if run not in self._writers:
            self._writers[run] = SummaryWriter(os.path.join(self.log_dir, run))
        return self._writers[run]

    def _write(self, run: str, values: list[Any], step: int) -> None:
        file_writer = self._writer(run).file_writer
        assert file_writer is not None
        file_writer.add_summary(summary_pb2.Summary(value=values), step)

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    # --- Keras's hooks ---------------------------------------------------------------

    def set_model(self, model: Any) -> None:
        """Keep the model; write its config (``write_graph``)."""
        super().set_model(model)
        self._close_writers()
        self._should_write_train_graph = False
        if self.write_graph:
            if type(model).__name__ in ("Functional", "Sequential"):
                try:
                    self._write("train", [summaries.keras_model_value("keras", model.to_json())], 0)
                except Exception as e:  # noqa: BLE001 - like Keras: a model that cannot be serialized
                    logger.warning("model failed to serialize as JSON, not written: %s", e)
            self._should_write_train_graph = True
        if self.embeddings_freq:
            self._check_embeddings_metadata()

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Count batches from the start."""
        self._global_train_batch = 0

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        """Stop a profile still running; close the files."""
        if self._profiler is not None:
            self._stop_profile()
        self._close_writers()

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Remember where the epoch started (for ``steps_per_second``)."""
        if self.write_steps_per_second:
            self._epoch_start_iterations = self._iterations()
            self._epoch_start_time = time.time()

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Count the batch; start a profile at ``profile_batch``."""
        self._global_train_batch += 1
        if self.write_steps_per_second:
            self._batch_start_time = time.time()
        if self._start_batch and self._global_train_batch == self._start_batch:
            self._profiler = Profiler(os.path.join(self.log_dir, "train"))
            self._profiler.start(first_step=self._global_train_batch)
        if self._profiler is not None:
            self._profiler.begin_step(self._global_train_batch)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """``batch_*`` scalars every ``update_freq`` batches; end a profile."""
        if self._should_write_train_graph:
            self._should_write_train_graph = False
            self._write_train_graph()
        step = self._global_train_batch
        if self.update_freq != "epoch" and step % int(self.update_freq) == 0:
            values = []
            if self.write_steps_per_second:
                values.append(summaries.scalar_value("batch_steps_per_second", 1.0 / (time.time() - self._batch_start_time)))
            if isinstance(logs, dict):
                values += [summaries.scalar_value(f"batch_{k}", _number(v)) for k, v in logs.items()]
            for value in values:
                self._write("train", [value], step)
        if self._profiler is not None:
            if step >= self._stop_batch:
                self._stop_profile()
            else:
                self._profiler.end_step()

    def on_test_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Nothing to do before an evaluation."""

    def on_test_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Count evaluation batches."""
        self._global_test_batch += 1

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        """``evaluation_*_vs_iterations`` scalars, at the optimizer's iteration count."""
        optimizer = getattr(self.model, "optimizer", None)
        if logs and optimizer is not None and hasattr(optimizer, "iterations"):
            step = self._iterations()
            for name, value in logs.items():
                self._write("validation", [summaries.scalar_value(f"evaluation_{name}_vs_iterations", _number(value))], step)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """``epoch_*`` scalars; weights and embeddings at their frequencies."""
        self._log_epoch_metrics(epoch, logs or {})
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self._log_embeddings(epoch)

    # --- what is written ---------------------------------------------------------------

    def _iterations(self) -> int:
        return int(keras.ops.convert_to_numpy(self.model.optimizer.iterations))

    def _log_epoch_metrics(self, epoch: int, logs: dict[str, Any]) -> None:
        if not logs:
            return
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        validation = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        train.update(self._learning_rates())
        if self.write_steps_per_second:
            seconds = time.time() - self._epoch_start_time
            train["steps_per_second"] = (self._iterations() - self._epoch_start_iterations) / seconds
        for run, metrics in (("train", train), ("validation", validation)):
            for name, value in metrics.items():
                self._write(run, [summaries.scalar_value(f"epoch_{name}", _number(value))], epoch)

    def _learning_rates(self) -> dict[str, float]:
        optimizer = getattr(self.model, "optimizer", None)
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)  # LossScaleOptimizer
        if hasattr(optimizer, "optimizers"):
            return {f"learning_rate_{o.name}": _number(o.learning_rate) for o in optimizer.optimizers}
        if isinstance(optimizer, keras.optimizers.Optimizer):
            return {"learning_rate": _number(optimizer.learning_rate)}
        return {}

    def _log_weights(self, epoch: int) -> None:
        for layer in self.model.layers:
            for weight in layer.weights:
                name = weight.path.replace(":", "_")
                data = keras.ops.convert_to_numpy(weight)
                values = [summaries.histogram_value(f"{name}/histogram", data)]
                if self.write_images:
                    image = weight_image(data, keras.backend.image_data_format())
                    if image is not None:
                        values.append(summaries.image_value(f"{name}/image", image))
                for value in values:
                    self._write("train", [value], epoch)
        self._writer("train").flush()

    def _write_train_graph(self) -> None:
        """The op graph of the training step: only the TensorFlow backend has one."""
        if keras.backend.backend() != "tensorflow":
            return
        train_fn = getattr(self.model, "train_function", None)
        if not hasattr(train_fn, "function_spec"):
            return
        try:
            concrete = getattr(train_fn, "_concrete_stateful_fn", None) or train_fn._concrete_variable_creation_fn
            self._writer("train").add_graph_def(concrete.graph.as_graph_def().SerializeToString())
        except Exception as e:  # noqa: BLE001 - a graph that cannot be written must not stop training
            logger.warning("the training step's graph was not written: %s", e)

    def _check_embeddings_metadata(self) -> None:
        if isinstance(self.embeddings_metadata, dict):
            names = {layer.name for layer in self.model.layers}
            unknown = sorted(set(self.embeddings_metadata) - names)
            if unknown:
                raise ValueError(
                    "Unrecognized `Embedding` layer names passed to `TensorBoard`'s "
                    f"`embeddings_metadata` argument: {unknown}"
                )

    def _log_embeddings(self, epoch: int) -> None:
        for layer in self.model.layers:
            if not isinstance(layer, keras.layers.Embedding):
                continue
            matrix = keras.ops.convert_to_numpy(layer.embeddings)
            path = self.embeddings_metadata
            if isinstance(path, dict):
                path = path.get(layer.name)
            labels, header = _read_metadata(path, self.log_dir) if path else (None, None)
            self._writer("train").add_embedding(
                matrix, metadata=labels, global_step=epoch, tag=layer.name, metadata_header=header
            )

    def _stop_profile(self) -> None:
        assert self._profiler is not None
        self._profiler.stop()
        self._profiler = None


def weight_image(weight: np.ndarray, data_format: str = "channels_last") -> np.ndarray | None:
    """A weight as Keras's callback draws it: ``[k, h, w, 1]`` (a bias as one row, a kernel
    with its longer side down, each 3-D convolution kernel channel as an image), or None when
    it has no such form."""
    image = np.squeeze(weight)
    if image.ndim == 1:
        image = image.reshape(1, image.shape[0], 1, 1)
    elif image.ndim == 2:
        if image.shape[0] > image.shape[1]:
            image = image.T
        image = image.reshape(1, image.shape[0], image.shape[1], 1)
    elif image.ndim == 3:
        if data_format == "channels_last":
            image = np.transpose(image, (2, 0, 1))
        image = image.reshape(image.shape[0], image.shape[1], image.shape[2], 1)
    if image.ndim == 4 and image.shape[-1] in (1, 3, 4):
        return image
    return None


def _number(value: Any) -> float:
    return float(keras.ops.convert_to_numpy(value))


def _profile_range(profile_batch: int | str | tuple[int, int] | list[int]) -> tuple[int, int]:
    """``(start, stop)`` batches to profile, ``(0, 0)`` for none, as Keras reads the argument."""
    message = (
        "profile_batch must be a non-negative integer or 2-tuple of positive integers. A pair "
        f"of positive integers signifies a range of batches to profile. Found: {profile_batch}"
    )
    if isinstance(profile_batch, str):
        profile_batch = [int(part) for part in profile_batch.split(",")]
        if len(profile_batch) == 1:
            profile_batch = profile_batch[0]
    if isinstance(profile_batch, int):
        start = stop = profile_batch
    elif isinstance(profile_batch, (tuple, list)) and len(profile_batch) == 2:
        start, stop = (int(b) for b in profile_batch)
    else:
        raise ValueError(message)
    if start < 0 or stop < start:
        raise ValueError(message)
    return start, stop


def _read_metadata(path: str, log_dir: str) -> tuple[list[Any] | None, list[str] | None]:
    """The labels of a projector metadata file (relative paths are under ``log_dir``, as the
    projector reads them): one per line, or rows of tab-separated columns under a header."""
    full = path if os.path.isabs(path) else os.path.join(log_dir, path)
    with open(full, encoding="utf-8") as f:
        lines = f.read().splitlines()
    if lines and "\t" in lines[0]:
        return [line.split("\t") for line in lines[1:]], lines[0].split("\t")
    return lines, None
