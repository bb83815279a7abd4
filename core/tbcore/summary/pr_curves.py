"""Precision-recall curves: the ``[6, num_thresholds]`` tensor of the pr_curves plugin."""

from __future__ import annotations

from typing import Any

import numpy as np

from tbcore.io.tensors import from_numpy
from tbcore.proto import plugin_pr_curve_pb2, summary_pb2

PLUGIN_NAME = "pr_curves"
# TensorBoard's dashboard reads at most 127 thresholds; torch caps there too.
MAX_THRESHOLDS = 127
_MINIMUM_COUNT = 1e-7  # keeps precision and recall finite where a count is zero


def compute_curve(
    labels: Any, predictions: Any, num_thresholds: int, weights: Any = None
) -> np.ndarray:
    """Rows TP, FP, TN, FN, precision, recall at ``num_thresholds`` evenly spaced thresholds.

    Predictions (in [0, 1]) are bucketed by ``floor(p * (num_thresholds - 1))``; threshold i
    counts the predictions in bucket i and above as positive.
    """
    labels = np.asarray(labels, dtype=np.float64).reshape(-1)
    predictions = np.asarray(predictions, dtype=np.float64).reshape(-1)
    if labels.shape != predictions.shape:
        raise ValueError(f"labels has {labels.size} entries and predictions {predictions.size}")
    if predictions.size and (predictions.min() < 0 or predictions.max() > 1):
        raise ValueError("predictions must lie in [0, 1]")
    w = 1.0 if weights is None else np.asarray(weights, dtype=np.float64).reshape(-1)
    buckets = np.floor(predictions * (num_thresholds - 1)).astype(np.int32)
    hist_range = (0, num_thresholds - 1)
    tp_buckets, _ = np.histogram(buckets, bins=num_thresholds, range=hist_range, weights=labels * w)
    fp_buckets, _ = np.histogram(
        buckets, bins=num_thresholds, range=hist_range, weights=(1.0 - labels) * w
    )
    tp = np.cumsum(tp_buckets[::-1])[::-1]
    fp = np.cumsum(fp_buckets[::-1])[::-1]
    tn = fp[0] - fp
    fn = tp[0] - tp
    precision = tp / np.maximum(_MINIMUM_COUNT, tp + fp)
    recall = tp / np.maximum(_MINIMUM_COUNT, tp + fn)
    return np.stack([tp, fp, tn, fn, precision, recall])


def pr_curve_value(tag: str, data: np.ndarray, num_thresholds: int) -> summary_pb2.Summary.Value:
    """A ``Summary.Value`` holding a ``[6, num_thresholds]`` curve with its plugin metadata."""
    data = np.asarray(data, dtype=np.float32)
    if data.shape != (6, num_thresholds):
        raise ValueError(
            f"a PR curve is 6 rows (TP, FP, TN, FN, precision, recall) of num_thresholds="
            f"{num_thresholds} values; got shape {data.shape}"
        )
    content = plugin_pr_curve_pb2.PrCurvePluginData(version=0, num_thresholds=num_thresholds)
    metadata = summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(
            plugin_name=PLUGIN_NAME, content=content.SerializeToString()
        )
    )
    return summary_pb2.Summary.Value(tag=tag, metadata=metadata, tensor=from_numpy(data))
