"""``SummaryWriter``: TensorBoard summaries from numpy values, without a framework.

The methods and their arguments follow ``torch.utils.tensorboard.SummaryWriter``, so adapters
can pass their converted tensors straight through, and the files are the ones torch writes
(TensorBoard and tbcore read both). Differences from torch: the first ``add_hparams``
without ``run_name`` writes into this writer's run (later ones, like torch's, into sub-runs
named by the time); ``add_*`` after ``close()`` raises (torch reopens a file); grey images
stay one-channel PNGs; ``add_video`` encodes GIFs with Pillow (no moviepy), with frame
delays that follow ``fps`` and grey clips allowed; ``add_image_with_boxes`` records the size of the rescaled image; uint8 embedding
thumbnails keep their values; bad input raises ``ValueError`` with what to change (torch
silently drops ``add_pr_curve`` predictions outside [0, 1]).

``add_histogram`` of values some of which are NaN or infinite leaves those out and logs a
warning naming the tag, the step and how many of each kind (once per tag). Its buckets are
torch's (torch's bucket counts leave them out too), but ``min``, ``max``, ``sum``,
``sum_squares`` and ``num`` are those of the finite values: torch keeps the non-finite ones
there, so TensorBoard, which takes the outermost bucket edges from ``min`` and ``max``,
reads buckets with NaN or infinite edges; and with ``bins="auto"`` or a bin count torch
raises. Without any finite value both raise. ``add_histogram_raw`` takes non-finite
statistics as they are, as torch does.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tbcore.io.tensors import from_numpy
from tbcore.proto import projector_config_pb2, summary_pb2, tensor_pb2, types_pb2
from tbcore.summary import (
    audio,
    boxes,
    custom_scalars,
    embedding,
    histograms,
    hparams,
    images,
    mesh,
    pr_curves,
    video,
)
from tbcore.summary import figure as figure_module
from tbcore.summary.graph import graph_event, run_metadata_event
from tbcore.summary.run_writer import RunWriter
from tbcore.summary.run_writer import make_event as _event
from tbcore.summary.run_writer import plugin_metadata as _metadata
from tbcore.summary.scalars import scalar_event, scalar_prefix, to_float

logger = logging.getLogger(__name__)


class SummaryWriter(RunWriter):
    """Writes summaries to an event file in ``log_dir`` (default ``runs/<time>_<host><comment>``).

    ``purge_step`` marks a restart: TensorBoard and tbcore drop the points at steps
    ``>= purge_step`` written before it (a ``SessionLog.START`` event at that step). Events are
    queued and written by a background thread (see :class:`EventFileWriter` for
    ``max_queue``, ``flush_secs`` and ``filename_suffix``). As in torch, these are attributes
    too, with ``log_dir``, ``file_writer`` and ``all_writers`` (see :class:`RunWriter`).
    """

    def __init__(
        self,
        log_dir: str | os.PathLike[str] | None = None,
        comment: str = "",
        purge_step: int | None = None,
        max_queue: int = 10,
        flush_secs: float = 120,
        filename_suffix: str = "",
    ) -> None:
        super().__init__(log_dir, comment, purge_step, max_queue, flush_secs, filename_suffix)
        # Per tag, the bytes of a legacy scalar event between the step and the value.
        self._scalar_prefixes: dict[str, bytes] = {}
        self._tensor_scalar_tags: set[str] = set()
        # Every embedding this writer added: projector_config.pbtxt is rewritten from it.
        self._projector_config = projector_config_pb2.ProjectorConfig()
        self._hparams_in_run = False  # whether add_hparams wrote a trial into this run
        self._non_finite_tags: set[str] = set()  # histogram tags warned about NaN or inf

    # --- scalars ---------------------------------------------------------------------

    def add_scalar(
        self,
        tag: str,
        scalar_value: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        new_style: bool = False,
        double_precision: bool = False,
    ) -> None:
        """One scalar: a legacy ``simple_value`` (float32), or with ``new_style`` a scalar
        tensor with the scalars plugin's metadata, float32 or with ``double_precision``
        float64 (without ``new_style``, ``double_precision`` does nothing, as in torch)."""
        value = scalar_value if type(scalar_value) is float else to_float(tag, scalar_value)
        if new_style:
            if double_precision:
                tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_DOUBLE, double_val=[value])
            else:
                tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, float_val=[value])
            tensor.tensor_shape.SetInParent()
            self._tensor_scalar_tags.add(tag)
            self._add(
                [summary_pb2.Summary.Value(tag=tag, tensor=tensor, metadata=_metadata("scalars"))],
                global_step,
                walltime,
            )
            return
        prefix = self._scalar_prefixes.get(tag)
        if prefix is None:
            prefix = self._scalar_prefixes[tag] = scalar_prefix(tag)
        self._writer.add_record(scalar_event(prefix, value, global_step, walltime))

    def add_scalars(
        self,
        main_tag: str,
        tag_scalar_dict: Mapping[str, Any],
        global_step: int | None = None,
        walltime: float | None = None,
    ) -> None:
        """Several scalars in one chart: each key goes to the sub-run ``<main_tag>_<key>``
        (with ``/`` in ``main_tag`` replaced by ``_``), under the tag ``main_tag``."""
        walltime = time.time() if walltime is None else walltime
        prefix = scalar_prefix(main_tag)
        for key, raw in tag_scalar_dict.items():
            run_dir = os.path.join(self._log_dir, f"{main_tag.replace('/', '_')}_{key}")
            payload = scalar_event(prefix, to_float(main_tag, raw), global_step, walltime)
            self._sub_writer(run_dir).add_record(payload)

    # --- histograms ------------------------------------------------------------------

    def add_histogram(
        self,
        tag: str,
        values: Any,
        global_step: int | None = None,
        bins: Any = "tensorflow",
        walltime: float | None = None,
        max_bins: int | None = None,
    ) -> None:
        """A histogram of ``values``; ``bins`` is ``"tensorflow"`` (TensorFlow's default
        edges), or anything ``np.histogram`` takes (``"auto"``, a count, explicit edges);
        ``max_bins`` merges neighbouring bins down to about that many.

        NaN and infinite values are left out, with a warning the first time a tag has some
        (a debug line after that); without any finite value, ``ValueError``."""
        flat, left_out = histograms.finite_values(values)
        if left_out.total:
            self._log_non_finite(tag, global_step, left_out, flat.size)
        histo = histograms.histogram_of_finite(flat, bins, max_bins)
        self._add([summary_pb2.Summary.Value(tag=tag, histo=histo)], global_step, walltime)

    def _log_non_finite(
        self, tag: str, step: int | None, left_out: histograms.NonFinite, kept: int
    ) -> None:
        # A NaN gradient tends to stay NaN: one warning per tag, not one per step.
        warned = tag in self._non_finite_tags
        self._non_finite_tags.add(tag)
        logger.log(
            logging.DEBUG if warned else logging.WARNING,
            "add_histogram(%r) at step %s: left out %s of %d values; the histogram shows "
            "the %d finite ones%s",
            tag,
            step,
            left_out,
            left_out.total + kept,
            kept,
            "" if warned else " (later steps of this tag are logged at debug level)",
        )

    def add_histogram_raw(
        self,
        tag: str,
        min: float,
        max: float,
        num: float,
        sum: float,
        sum_squares: float,
        bucket_limits: Any,
        bucket_counts: Any,
        global_step: int | None = None,
        walltime: float | None = None,
    ) -> None:
        """A histogram from precomputed statistics; ``bucket_limits`` are right edges."""
        histo = histograms.raw_histogram(
            min, max, num, sum, sum_squares, bucket_limits, bucket_counts
        )
        self._add([summary_pb2.Summary.Value(tag=tag, histo=histo)], global_step, walltime)

    # --- media -----------------------------------------------------------------------

    def add_image(
        self,
        tag: str,
        img_tensor: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        dataformats: str = "CHW",
    ) -> None:
        """One image in layout CHW, HWC or HW; uint8, or floats in [0, 1]. One channel is
        grey, two grey and alpha, three RGB, four RGBA."""
        hwc = images.to_hwc(np.asarray(img_tensor), dataformats, grey_alpha=True)
        self._add([images.image_value(tag, hwc)], global_step, walltime)

    def add_images(
        self,
        tag: str,
        img_tensor: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        dataformats: str = "NCHW",
    ) -> None:
        """A batch in layout NCHW or NHWC, tiled 8 per row into one image (as torch does),
        or, as in torch, one image in layout CHW, HWC or HW (like ``add_image``)."""
        hwc = images.images_hwc(np.asarray(img_tensor), dataformats)
        self._add([images.image_value(tag, hwc)], global_step, walltime)

    def add_image_with_boxes(
        self,
        tag: str,
        img_tensor: Any,
        box_tensor: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        rescale: float = 1,
        dataformats: str = "CHW",
        labels: Sequence[str] | str | None = None,
    ) -> None:
        """An image with boxes ``[x_min, y_min, x_max, y_max]`` (``box_tensor``, ``[N, 4]``)
        drawn in red, each with its label if ``labels`` has one per box, then resized by
        ``rescale``. Needs Pillow."""
        value = boxes.boxes_image_value(tag, img_tensor, box_tensor, rescale, dataformats, labels)
        self._add([value], global_step, walltime)

    def add_figure(
        self,
        tag: str,
        figure: Any,
        global_step: int | None = None,
        close: bool = True,
        walltime: float | None = None,
    ) -> None:
        """A matplotlib figure (or a list of figures of one size, tiled like ``add_images``)
        rendered as an image; ``close`` closes them in pyplot. Needs matplotlib."""
        if isinstance(figure, list):
            self.add_images(
                tag,
                figure_module.figures_to_nhwc(figure, close),
                global_step,
                walltime,
                dataformats="NHWC",
            )
        else:
            self.add_image(
                tag,
                figure_module.figure_to_hwc(figure, close),
                global_step,
                walltime,
                dataformats="HWC",
            )

    def add_video(
        self,
        tag: str,
        vid_tensor: Any,
        global_step: int | None = None,
        fps: float = 4,
        walltime: float | None = None,
    ) -> None:
        """Clips ``[N, T, C, H, W]`` (uint8, or floats in [0, 1]) tiled into one animated GIF
        that the images dashboard plays. Needs Pillow."""
        self._add([video.video_value(tag, vid_tensor, fps)], global_step, walltime)

    def add_audio(
        self,
        tag: str,
        snd_tensor: Any,
        global_step: int | None = None,
        sample_rate: int = 44100,
        walltime: float | None = None,
    ) -> None:
        """One mono clip of float samples in [-1, 1], stored as 16-bit WAV."""
        self._add([audio.audio_value(tag, snd_tensor, sample_rate)], global_step, walltime)

    def add_text(
        self,
        tag: str,
        text_string: str,
        global_step: int | None = None,
        walltime: float | None = None,
    ) -> None:
        """Markdown text, under the tag ``<tag>/text_summary`` as torch writes it."""
        tensor = tensor_pb2.TensorProto(
            dtype=types_pb2.DT_STRING, string_val=[text_string.encode("utf-8")]
        )
        tensor.tensor_shape.dim.add(size=1)
        value = summary_pb2.Summary.Value(
            tag=f"{tag}/text_summary", tensor=tensor, metadata=_metadata("text")
        )
        self._add([value], global_step, walltime)

    # --- plugin tensors ----------------------------------------------------------------

    def add_pr_curve(
        self,
        tag: str,
        labels: Any,
        predictions: Any,
        global_step: int | None = None,
        num_thresholds: int = 127,
        weights: Any = None,
        walltime: float | None = None,
    ) -> None:
        """A precision-recall curve of binary ``labels`` against ``predictions`` in [0, 1]."""
        num_thresholds = _thresholds(num_thresholds)
        data = pr_curves.compute_curve(labels, predictions, num_thresholds, weights)
        self._add([pr_curves.pr_curve_value(tag, data, num_thresholds)], global_step, walltime)

    def add_pr_curve_raw(
        self,
        tag: str,
        true_positive_counts: Any,
        false_positive_counts: Any,
        true_negative_counts: Any,
        false_negative_counts: Any,
        precision: Any,
        recall: Any,
        global_step: int | None = None,
        num_thresholds: int = 127,
        weights: Any = None,
        walltime: float | None = None,
    ) -> None:
        """A precision-recall curve from precomputed counts (``weights`` is unused, as in torch)."""
        num_thresholds = _thresholds(num_thresholds)
        rows = [
            true_positive_counts,
            false_positive_counts,
            true_negative_counts,
            false_negative_counts,
            precision,
            recall,
        ]
        data = np.stack([np.asarray(r, dtype=np.float64).reshape(-1) for r in rows])
        self._add([pr_curves.pr_curve_value(tag, data, num_thresholds)], global_step, walltime)

    def add_mesh(
        self,
        tag: str,
        vertices: Any,
        colors: Any = None,
        faces: Any = None,
        config_dict: Mapping[str, Any] | None = None,
        global_step: int | None = None,
        walltime: float | None = None,
    ) -> None:
        """A mesh or point cloud for the mesh dashboard: ``vertices`` ``[B, N, 3]``, optional
        ``colors`` ``[B, N, 3]`` (0 to 255) and ``faces`` ``[B, F, 3]`` (vertex indices);
        ``config_dict`` holds three.js camera, light and material settings."""
        values = mesh.mesh_values(tag, vertices, colors, faces, config_dict)
        self._add(values, global_step, walltime)

    def add_embedding(
        self,
        mat: Any,
        metadata: Sequence[Any] | None = None,
        label_img: Any = None,
        global_step: int | None = None,
        tag: str = "default",
        metadata_header: Sequence[Any] | None = None,
    ) -> None:
        """Points for the projector: ``mat`` ``[N, D]``, one label per point in ``metadata``
        (a row of values per point with ``metadata_header``), thumbnails ``label_img``
        ``[N, C, H, W]``. Written as files in the run, not as an event (see
        :mod:`tbcore.summary.embedding`); ``global_step`` defaults to 0."""
        self._writer.check_usable()  # a closed writer writes no more files
        embedding.write_embedding(
            self._log_dir,
            self._projector_config,
            np.asarray(mat),
            metadata,
            None if label_img is None else np.asarray(label_img),
            0 if global_step is None else int(global_step),
            tag,
            metadata_header,
        )

    def add_custom_scalars(self, layout: custom_scalars.LayoutDict) -> None:
        """The custom-scalars dashboard layout, in torch's format:
        ``{category: {chart: ["Multiline", [tags]] or ["Margin", [value, lower, upper]]}}``."""
        self._add([custom_scalars.layout_value(layout)], None, None)

    def add_custom_scalars_multilinechart(
        self, tags: Sequence[str], category: str = "default", title: str = "untitled"
    ) -> None:
        """A custom-scalars layout of one chart with a line per tag in ``tags``."""
        self.add_custom_scalars({category: {title: ["Multiline", list(tags)]}})

    def add_custom_scalars_marginchart(
        self, tags: Sequence[str], category: str = "default", title: str = "untitled"
    ) -> None:
        """A custom-scalars layout of one margin chart: ``tags`` are value, lower, upper."""
        if len(tags) != 3:
            raise ValueError(
                f"add_custom_scalars_marginchart needs 3 tags (value, lower, upper), got {tags!r}"
            )
        self.add_custom_scalars({category: {title: ["Margin", list(tags)]}})

    def add_hparams(
        self,
        hparam_dict: Mapping[str, Any],
        metric_dict: Mapping[str, Any],
        hparam_domain_discrete: Mapping[str, Sequence[Any]] | None = None,
        run_name: str | None = None,
        global_step: int | None = None,
    ) -> None:
        """Hyperparameters of one trial, and the metrics to compare trials by.

        A run holds one trial. The first call without ``run_name`` writes into this writer's
        own run (torch writes every call into a new sub-run named by the time). A later call
        without ``run_name`` would replace that trial, so it goes into a new sub-run named by
        the time (``str(time.time())``, as torch names it) and an info line is logged: the
        usual grid-search loop over one writer keeps every trial. ``run_name`` writes into the
        sub-run ``<log_dir>/<run_name>``. ``metric_dict`` values are logged as scalars, except
        in this writer's own run for tags already logged with ``add_scalar``, whose own series
        is the metric.
        """
        values = hparams.hparams_values(hparam_dict, metric_dict, hparam_domain_discrete)
        # Every event is built before anything is written: bad input writes no half trial.
        walltime = time.time()
        events = [_event([value], global_step, walltime) for value in values]
        prefixes = {tag: scalar_prefix(tag) for tag in metric_dict}
        records = {
            tag: scalar_event(
                prefixes[tag], to_float(tag, raw, "add_hparams metric"), global_step, walltime
            )
            for tag, raw in metric_dict.items()
        }
        if not run_name and self._hparams_in_run:
            run_name = self.timestamped_run_name()
            logger.info(
                "add_hparams: %s already holds a trial; this one goes into its sub-run %r "
                "(pass run_name to choose the name)",
                self._log_dir,
                run_name,
            )
        if run_name:
            writer = self._sub_writer(os.path.join(self._log_dir, run_name))
            logged: set[str] = set()
        else:
            writer = self._writer
            logged = set(self._scalar_prefixes) | self._tensor_scalar_tags
        for event in events:
            writer.add_event(event)
        for tag, record in records.items():
            if tag not in logged:
                writer.add_record(record)
        if writer is self._writer:
            for tag in records.keys() - logged:
                self._scalar_prefixes[tag] = prefixes[tag]
            self._hparams_in_run = True
        else:
            writer.flush()  # a finished trial: show it now, as torch's closed sub-writer does

    def timestamped_run_name(self) -> str:
        """A new sub-run name from the current time, as torch's ``add_hparams`` makes them."""
        name = str(time.time())
        while os.path.join(self._log_dir, name) in self._sub_writers:
            name = str(time.time())
        return name

    def add_tensor(
        self,
        tag: str,
        tensor: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        *,
        plugin_name: str = "",
        plugin_content: bytes = b"",
    ) -> None:
        """Any array, as a TensorProto, for a dashboard (``plugin_name``) that reads it."""
        value = summary_pb2.Summary.Value(tag=tag, tensor=from_numpy(np.asarray(tensor)))
        if plugin_name:
            value.metadata.CopyFrom(_metadata(plugin_name, plugin_content))
            # Readers do not know a third party's plugin: say that its series holds tensors.
            value.metadata.data_class = summary_pb2.DATA_CLASS_TENSOR
        self._add([value], global_step, walltime)

    # --- graphs ----------------------------------------------------------------------

    def add_graph_def(
        self,
        graph_def: Any,
        run_metadata: Any = None,
        walltime: float | None = None,
        run_metadata_tag: str = "step1",
    ) -> None:
        """A model graph for the graph dashboard: ``graph_def`` is a ``GraphDef`` proto or its
        bytes; ``run_metadata`` (a ``RunMetadata`` or its bytes, e.g. the devices of the
        graph's ops) goes next to it under ``run_metadata_tag``, as torch writes it."""
        walltime = time.time() if walltime is None else walltime
        events = [graph_event(graph_def, walltime)]
        if run_metadata is not None:
            events.append(run_metadata_event(run_metadata_tag, run_metadata, walltime))
        for event in events:  # both built first: bad input writes neither
            self._writer.add_event(event)


def _thresholds(num_thresholds: int) -> int:
    if num_thresholds < 2:
        raise ValueError(f"num_thresholds must be at least 2, got {num_thresholds}")
    return min(int(num_thresholds), pr_curves.MAX_THRESHOLDS)
