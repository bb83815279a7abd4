"""``SummaryWriter`` with ``torch.utils.tensorboard``'s signatures, over ``tbcore.summary``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from tbcore.summary import SummaryWriter as _NumpyWriter
from tbcore_torch.convert import first_element, to_numpy, to_scalar


class SummaryWriter(_NumpyWriter):
    """Writes event files TensorBoard and tbcore read; accepts torch tensors anywhere
    ``torch.utils.tensorboard.SummaryWriter`` does (values, images, audio, labels, ...).

    It has torch's attributes (``log_dir``, ``max_queue``, ``flush_secs``,
    ``filename_suffix``, ``purge_step``, ``file_writer``, ``all_writers``) and methods.
    Differences from torch: ``add_*`` after ``close()`` raises instead of opening a new
    file; bad input raises ``ValueError`` saying what to change where torch writes
    something unusable or drops data silently (``add_pr_curve`` predictions outside
    [0, 1], which torch leaves out of the curve); ``add_video`` needs no moviepy;
    ``add_hparams`` accepts a 0-d tensor hparam (torch fails on it) and says which
    metric is not one number; see :mod:`tbcore.summary.writer` for the rest, except that
    here every ``add_hparams`` without ``run_name`` writes a new timestamped sub-run, as
    torch's does (the numpy writer puts its first trial into the run itself).
    """

    def add_scalar(self, tag: str, scalar_value: Any, global_step: int | None = None,
                   walltime: float | None = None, new_style: bool = False,
                   double_precision: bool = False) -> None:
        """See ``torch.utils.tensorboard.SummaryWriter.add_scalar``."""
        super().add_scalar(tag, to_scalar(scalar_value), global_step, walltime, new_style,
                           double_precision)

    def add_scalars(self, main_tag: str, tag_scalar_dict: Mapping[str, Any],
                    global_step: int | None = None, walltime: float | None = None) -> None:
        """See ``torch.utils.tensorboard.SummaryWriter.add_scalars``."""
        values = {k: to_scalar(v) for k, v in tag_scalar_dict.items()}
        super().add_scalars(main_tag, values, global_step, walltime)

    def add_histogram(self, tag: str, values: Any, global_step: int | None = None,
                      bins: Any = "tensorflow", walltime: float | None = None,
                      max_bins: int | None = None) -> None:
        """See ``torch.utils.tensorboard.SummaryWriter.add_histogram``."""
        super().add_histogram(tag, to_numpy(values), global_step, to_numpy(bins), walltime, max_bins)

    def add_histogram_raw(self, tag: str, min: Any, max: Any, num: Any, sum: Any,
                          sum_squares: Any, bucket_limits: Any, bucket_counts: Any,
                          global_step: int | None = None, walltime: float | None = None) -> None:
        """See ``torch.utils.tensorboard.SummaryWriter.add_histogram_raw``."""
        super().add_histogram_raw(
            tag, to_scalar(min), to_scalar(max), to_scalar(num), to_scalar(sum),
            to_scalar(sum_squares), to_numpy(bucket_limits), to_numpy(bucket_counts),
            global_step, walltime,
        )

    def add_image(self, tag: str, img_tensor: Any, global_step: int | None = None,
                  walltime: float | None = None, dataformats: str = "CHW") -> None:
        """See ``torch.utils.tensorboard.SummaryWriter.add_image``."""
        super().add_image(tag, to_numpy(img_tensor), global_step, walltime, dataformats)

    def add_images(self, tag: str, img_tensor: Any, global_step: int | None = None,
                   walltime: float | None = None, dataformats: str = "NCHW") -> None:
        """See ``torch.utils.tensorboard.SummaryWriter.add_images``."""
        super().add_images(tag, to_numpy(img_tensor), global_step, walltime, dataformats)

    def add_image_with_boxes(self, tag: str, img_tensor: Any, box_tensor: Any,
                             global_step: int | None = None, walltime: float | None = None,
                             rescale: float = 1, dataformats: str = "CHW",
                             labels: Sequence[str] | str | None = None) -> None:
        """See ``torch.utils.tensorboard.SummaryWriter.add_image_with_boxes``."""
        super().add_image_with_boxes(tag, to_numpy(img_tensor), to_numpy(box_tensor), global_step,
                                     walltime, rescale, dataformats, labels)

    def add_video(self, tag: str, vid_tensor: Any, global_step: int | None = None,
                  fps: float = 4, walltime: float | None = None) -> None:
        """See ``torch.utils.tensorboard.SummaryWriter.add_video``; an animated GIF made
        with Pillow (moviepy is not needed)."""
        super().add_video(tag, to_numpy(vid_tensor), global_step, to_scalar(fps), walltime)

    def add_audio(self, tag: str, snd_tensor: Any, global_step: int | None = None,
                  sample_rate: int = 44100, walltime: float | None = None) -> None:
        """See ``torch.utils.tensorboard.SummaryWriter.add_audio``."""
        super().add_audio(tag, to_numpy(snd_tensor), global_step, sample_rate, walltime)

    def add_pr_curve(self, tag: str, labels: Any, predictions: Any, global_step: int | None = None,
                     num_thresholds: int = 127, weights: Any = None,
                     walltime: float | None = None) -> None:
        """See ``torch.utils.tensorboard.SummaryWriter.add_pr_curve``."""
        super().add_pr_curve(tag, to_numpy(labels), to_numpy(predictions), global_step,
                             num_thresholds, to_numpy(weights), walltime)

    def add_pr_curve_raw(self, tag: str, true_positive_counts: Any, false_positive_counts: Any,
                         true_negative_counts: Any, false_negative_counts: Any, precision: Any,
                         recall: Any, global_step: int | None = None, num_thresholds: int = 127,
                         weights: Any = None, walltime: float | None = None) -> None:
        """See ``torch.utils.tensorboard.SummaryWriter.add_pr_curve_raw``."""
        super().add_pr_curve_raw(
            tag, to_numpy(true_positive_counts), to_numpy(false_positive_counts),
            to_numpy(true_negative_counts), to_numpy(false_negative_counts), to_numpy(precision),
            to_numpy(recall), global_step, num_thresholds, to_numpy(weights), walltime,
        )

    def add_mesh(self, tag: str, vertices: Any, colors: Any = None, faces: Any = None,
                 config_dict: Mapping[str, Any] | None = None, global_step: int | None = None,
                 walltime: float | None = None) -> None:
        """See ``torch.utils.tensorboard.SummaryWriter.add_mesh``."""
        super().add_mesh(tag, to_numpy(vertices), to_numpy(colors), to_numpy(faces), config_dict,
                         global_step, walltime)

    def add_embedding(self, mat: Any, metadata: Any = None, label_img: Any = None,
                      global_step: int | None = None, tag: str = "default",
                      metadata_header: Sequence[Any] | None = None) -> None:
        """See ``torch.utils.tensorboard.SummaryWriter.add_embedding``. A tensor of labels
        is written as its numbers (torch would write ``tensor(3)``)."""
        labels = to_numpy(metadata)
        if isinstance(labels, np.ndarray):
            labels = labels.tolist()
        super().add_embedding(to_numpy(mat), labels, to_numpy(label_img), global_step, tag,
                              metadata_header)

    def add_hparams(self, hparam_dict: Mapping[str, Any], metric_dict: Mapping[str, Any],
                    hparam_domain_discrete: Mapping[str, Sequence[Any]] | None = None,
                    run_name: str | None = None, global_step: int | None = None) -> None:
        """See ``torch.utils.tensorboard.SummaryWriter.add_hparams``: as torch does, each call
        writes one trial into the sub-run ``run_name``, by default a new one named by the time
        (``str(time.time())``), with the metrics as scalars there. A tensor hparam counts as its
        first element, as in torch."""
        super().add_hparams(
            {k: first_element(k, v) for k, v in hparam_dict.items()},
            {k: to_numpy(v) for k, v in metric_dict.items()},
            hparam_domain_discrete, run_name or self.timestamped_run_name(), global_step,
        )

    def add_tensor(self, tag: str, tensor: Any, global_step: int | None = None,
                   walltime: float | None = None, *, plugin_name: str = "tensor",
                   plugin_content: bytes = b"") -> None:
        """See ``torch.utils.tensorboard.SummaryWriter.add_tensor`` (plugin name ``tensor``);
        ``plugin_name`` and ``plugin_content`` address a third-party dashboard instead."""
        super().add_tensor(tag, to_numpy(tensor), global_step, walltime,
                           plugin_name=plugin_name, plugin_content=plugin_content)

    def add_graph(self, model: Any, input_to_model: Any = None, verbose: bool = False,
                  use_strict_trace: bool = True) -> None:
        """See ``torch.utils.tensorboard.SummaryWriter.add_graph``: traces ``model`` on
        ``input_to_model`` with ``torch.jit.trace`` (see :mod:`tbcore_torch.graph`)."""
        from tbcore_torch.graph import trace_graph

        self.add_graph_def(*trace_graph(model, input_to_model, verbose, use_strict_trace))

    def add_onnx_graph(self, prototxt: Any) -> None:
        """See ``torch.utils.tensorboard.SummaryWriter.add_onnx_graph``: the graph of the ONNX
        model file ``prototxt`` (needs the ``onnx`` package)."""
        from tbcore_torch.onnx_graph import load_onnx_graph

        self.add_graph_def(load_onnx_graph(prototxt))
