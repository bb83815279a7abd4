"""tbcore's Keras adapter: ``from tbcore_tensorflow import TensorBoard``.

A drop-in replacement for ``keras.callbacks.TensorBoard`` that writes the same summaries as
TensorBoard reads them (``train`` and ``validation`` runs, ``epoch_*``, ``batch_*`` and
``evaluation_*_vs_iterations`` scalars, weight histograms and images, the model's config for
the conceptual graph, embeddings for the projector) through the framework-free writer
``tbcore.summary``: it runs on every Keras backend (TensorFlow, JAX, PyTorch) and needs no
TensorFlow where Keras's own callback does. ``profile_batch`` runs the backend's profiler
and leaves its trace in the run.
"""

from tbcore_tensorflow.callback import TensorBoard

__all__ = ["TensorBoard"]
