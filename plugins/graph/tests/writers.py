"""Scripts that write the graph fixtures with the real writers (run in subprocesses, one
interpreter each, by the root conftest's ``logdir_from_scripts``)."""

# torch.utils.tensorboard's add_graph and add_onnx_graph, and tbcore_torch's add_graph, on
# the same models: a CNN with nested modules, and a model with two inputs and two outputs.
TORCH_MODELS = r'''
import torch
from torch import nn


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(),
            nn.Sequential(nn.Conv2d(4, 2, 1), nn.Dropout()),
        )
        self.head = nn.Linear(2 * 6 * 6, 5)

    def forward(self, x):
        return self.head(torch.flatten(self.features(x), 1))


class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.left = nn.Linear(4, 3)
        self.right = nn.Sequential(nn.Linear(4, 2), nn.Tanh())

    def forward(self, x, y):
        return self.left(x), self.right(y) + 1


torch.manual_seed(0)
MODELS = {"cnn": (Cnn(), torch.randn(1, 3, 8, 8)), "two_heads": (TwoHeads(), (torch.randn(2, 4), torch.randn(2, 4)))}
'''

WRITE_WITH_TORCH = TORCH_MODELS + r'''
import os
import sys
import warnings
from torch.utils.tensorboard import SummaryWriter
from tbcore_torch import SummaryWriter as TbcoreWriter

root = sys.argv[1]
for name, (model, inputs) in MODELS.items():
    with SummaryWriter(os.path.join(root, "torch", name)) as w:
        w.add_graph(model, inputs)
    with TbcoreWriter(os.path.join(root, "tbcore_torch", name)) as w:
        w.add_graph(model, inputs)
onnx_file = os.path.join(root, "cnn.onnx")
model, inputs = MODELS["cnn"]
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    torch.onnx.export(model, (inputs,), onnx_file, dynamo=False, input_names=["image"], output_names=["logits"])
with SummaryWriter(os.path.join(root, "torch", "onnx")) as w:
    w.add_onnx_graph(onnx_file)
os.remove(onnx_file)
'''

# TF1: FileWriter(graph=...) with two steps of FULL_TRACE run metadata and the meta graph;
# a second run holds the meta graph alone. A 600-float constant is a large attribute.
WRITE_WITH_TF1 = r'''
import sys
import numpy as np
import tensorflow as tf
root = sys.argv[1]
v1 = tf.compat.v1
g = tf.Graph()
with g.as_default():
    x = v1.placeholder(tf.float32, [None, 4], name="x")
    with v1.name_scope("layer1"):
        w = v1.get_variable("w1", [4, 8], initializer=v1.ones_initializer())
        h = tf.nn.relu(tf.matmul(x, w), name="relu")
    with v1.name_scope("layer2"):
        w2 = v1.Variable(tf.ones([8, 2]), name="w2")
        big = tf.constant(np.arange(600, dtype=np.float32).reshape(30, 20), name="big_const")
        out = tf.matmul(h, w2, name="logits")
    loss = tf.reduce_mean(out, name="loss") + tf.reduce_sum(big) * 0.0
    init = v1.global_variables_initializer()
    with v1.Session(graph=g) as sess:
        sess.run(init)
        writer = v1.summary.FileWriter(root + "/tf1", graph=sess.graph)
        options = v1.RunOptions(trace_level=v1.RunOptions.FULL_TRACE)
        for step in (10, 20):
            run_metadata = v1.RunMetadata()
            sess.run(loss, {x: np.ones([3, 4])}, options=options, run_metadata=run_metadata)
            writer.add_run_metadata(run_metadata, f"step_{step}", global_step=step)
        writer.add_meta_graph(v1.train.export_meta_graph(graph=g))
        writer.close()
        meta_only = v1.summary.FileWriter(root + "/tf1_meta_only")
        meta_only.add_meta_graph(v1.train.export_meta_graph(graph=g))
        meta_only.close()
'''

# TF2: tf.summary.trace_on / trace_export. A trace of two tf.functions (their graphs are
# merged under graph_<i> scopes), a trace of one, and a profiled trace (plugin
# graph_run_metadata, whose RunMetadata is empty in eager TF2).
WRITE_WITH_TF2_TRACE = r'''
import sys
import tensorflow as tf
root = sys.argv[1]

@tf.function
def inner(x):
    return tf.nn.relu(x) * 2.0

@tf.function
def model(x, y):
    with tf.name_scope("dense"):
        z = tf.matmul(x, y) + 1.0
    return inner(z)

@tf.function
def total(x):
    return tf.reduce_sum(x)

w = tf.summary.create_file_writer(root + "/tf2_trace")
with w.as_default():
    tf.summary.trace_on(graph=True, profiler=False)
    total(model(tf.ones([2, 3]), tf.ones([3, 4])))
    tf.summary.trace_export(name="two_functions", step=0)
    tf.summary.trace_on(graph=True, profiler=False)
    model(tf.ones([2, 3]), tf.ones([3, 4]))
    tf.summary.trace_export(name="one_function", step=3)
    tf.summary.trace_on(graph=True, profiler=True, profiler_outdir=root + "/tf2_trace")
    model(tf.ones([2, 3]), tf.ones([3, 4]))
    tf.summary.trace_export(name="profiled", step=5)
w.close()
'''

# Keras' TensorBoard callback (write_graph=True): the `keras` tag of a Sequential model, a
# functional one with two branches, and one nesting a Sequential and a functional model.
WRITE_WITH_KERAS = r'''
import sys
import numpy as np
import tensorflow as tf
root = sys.argv[1]
keras = tf.keras
keras.utils.set_random_seed(0)
x = np.random.default_rng(0).normal(size=(32, 6)).astype("float32")
y = (x.sum(axis=1, keepdims=True) > 0).astype("float32")

def fit(model, run):
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    board = keras.callbacks.TensorBoard(f"{root}/{run}", write_graph=True)
    model.fit(x, y, epochs=1, batch_size=16, verbose=0, callbacks=[board])

fit(keras.Sequential([
    keras.Input((6,)), keras.layers.Dense(8, activation="relu", name="hidden"),
    keras.layers.Dropout(0.1), keras.layers.Dense(1, activation="sigmoid", name="out"),
], name="seq"), "keras_sequential")

features = keras.Input((6,), name="features")
a = keras.layers.Dense(8, activation="relu", name="branch_a")(features)
b = keras.layers.Dense(8, activation="tanh", name="branch_b")(features)
merged = keras.layers.Concatenate(name="merge")([a, b])
fit(keras.Model(features, keras.layers.Dense(1, activation="sigmoid", name="head")(merged), name="func"),
    "keras_functional")

block = keras.Sequential([keras.Input((6,)), keras.layers.Dense(4, name="inner_dense"),
                          keras.layers.ReLU(name="inner_relu")], name="block")
sub_in = keras.Input((4,), name="sub_in")
subnet = keras.Model(sub_in, keras.layers.Dense(3, name="sub_dense")(sub_in), name="subnet")
inputs = keras.Input((6,), name="x")
outputs = keras.layers.Dense(1, activation="sigmoid", name="final")(subnet(block(inputs)))
fit(keras.Model(inputs, outputs, name="nested"), "keras_nested")
'''
