"""The data layer: the provider interface and the default logdir provider."""

from tbcore.data.downsample import ScalarWindow
from tbcore.data.logdir_provider import LogdirDataProvider, ReloadReport
from tbcore.data.provider import (
    BlobReference,
    BlobSequenceDatum,
    DataClass,
    DataProvider,
    ExperimentMetadata,
    Run,
    RunAsset,
    RunTagFilter,
    ScalarColumns,
    ScalarDatum,
    TensorDatum,
    TimeSeries,
    WindowedScalars,
)

__all__ = [
    "BlobReference",
    "BlobSequenceDatum",
    "DataClass",
    "DataProvider",
    "ExperimentMetadata",
    "LogdirDataProvider",
    "ReloadReport",
    "Run",
    "RunAsset",
    "RunTagFilter",
    "ScalarColumns",
    "ScalarDatum",
    "ScalarWindow",
    "TensorDatum",
    "TimeSeries",
    "WindowedScalars",
]
