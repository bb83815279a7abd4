"""Scripts that write the projector and mesh fixtures with the real writers (run in
subprocesses, so that neither torch nor TensorFlow is imported into the pytest process).
Each takes the logdir as its only argument."""

WRITE_WITH_TORCH = """
import sys
import numpy as np
import torch
from torch.utils.tensorboard import SummaryWriter

rng = np.random.default_rng(0)
w = SummaryWriter(sys.argv[1] + "/torch_run")
w.add_scalar("loss", 1.0, 0)
# Two clusters; the labels say which.
points = np.concatenate([rng.normal(0, 1, (30, 8)), rng.normal(6, 1, (30, 8))])
labels = [f"a{i}" if i < 30 else f"b{i}" for i in range(60)]
w.add_embedding(torch.tensor(points, dtype=torch.float32), metadata=labels, tag="labels")
rows = [[f"p{i}", "even" if i % 2 == 0 else "odd", str(i * 0.5)] for i in range(60)]
w.add_embedding(
    torch.tensor(points[:, :5], dtype=torch.float32), metadata=rows,
    metadata_header=["name", "parity", "value"], tag="multi", global_step=2,
)
images = torch.rand(60, 3, 8, 8)
w.add_embedding(
    torch.tensor(points, dtype=torch.float32), label_img=images, tag="sprites", global_step=5,
)
w.add_embedding(torch.tensor(points[:10, :3], dtype=torch.float32), tag="plain/name")
# Meshes: a coloured tetrahedron over three steps (batch of 1) and a point cloud batch of 2.
vertices = np.array([[[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]]], dtype=np.float32)
faces = np.array([[[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]]], dtype=np.int32)
colors = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0]]], dtype=np.uint8)
config = {"camera": {"cls": "PerspectiveCamera", "fov": 75}}
for step in range(3):
    w.add_mesh("tetra", torch.tensor(vertices * (step + 1)), colors=torch.tensor(colors),
               faces=torch.tensor(faces), config_dict=config, global_step=step)
cloud = rng.normal(size=(2, 50, 3)).astype(np.float32)
w.add_mesh("cloud", torch.tensor(cloud), global_step=7)
w.close()
"""

WRITE_WITH_TENSORBOARDX = """
import sys
import numpy as np
from tensorboardX import SummaryWriter

rng = np.random.default_rng(1)
w = SummaryWriter(sys.argv[1] + "/tbx_run")
w.add_scalar("loss", 1.0, 0)
mat = rng.normal(size=(40, 6)).astype(np.float32)
w.add_embedding(mat, metadata=[f"x{i}" for i in range(40)],
                label_img=rng.random((40, 3, 6, 6)).astype(np.float32), tag="tbx")
w.close()
"""

WRITE_CHECKPOINT_RUN = """
import os, sys, json
import numpy as np
import tensorflow as tf
from tensorboard.plugins import projector

rng = np.random.default_rng(2)
run = os.path.join(sys.argv[1], "ckpt_run")
with tf.summary.create_file_writer(run).as_default():
    tf.summary.scalar("loss", 1.0, step=0)
embedding = tf.Variable(rng.normal(size=(25, 4)).astype(np.float32), name="embedding")
doubles = tf.Variable(rng.normal(size=(7, 3)), name="doubles")
ints = tf.Variable(np.arange(12, dtype=np.int32).reshape(4, 3), name="ints")
halves = tf.Variable(rng.normal(size=(5, 2)).astype(np.float16), name="halves")
ckpt = tf.train.Checkpoint(embedding=embedding, doubles=doubles, ints=ints, halves=halves,
                           bias=tf.Variable(np.zeros(3, np.float32)))
ckpt.save(os.path.join(run, "embedding.ckpt"))
with open(os.path.join(run, "metadata.tsv"), "w") as f:
    f.write("".join(f"word{i}\\n" for i in range(25)))
config = projector.ProjectorConfig()
first = config.embeddings.add()
first.tensor_name = "embedding/.ATTRIBUTES/VARIABLE_VALUE"
first.metadata_path = "metadata.tsv"
projector.visualize_embeddings(run, config)
"""

# TensorFlow's projector tutorial: checkpoint, metadata and config in the logdir itself, beside
# the runs (TensorBoard serves them as run ".").
WRITE_ROOT_CHECKPOINT = """
import os, sys
import numpy as np
import tensorflow as tf
from tensorboard.plugins import projector

root = sys.argv[1]
weights = tf.Variable(np.arange(18, dtype=np.float32).reshape(6, 3) / 7, name="weights")
tf.train.Checkpoint(embedding=weights).save(os.path.join(root, "embedding.ckpt"))
with open(os.path.join(root, "metadata.tsv"), "w") as f:
    f.write("".join(f"token{i}\\n" for i in range(6)))
config = projector.ProjectorConfig()
embedding = config.embeddings.add()
embedding.tensor_name = "embedding/.ATTRIBUTES/VARIABLE_VALUE"
embedding.metadata_path = "metadata.tsv"
projector.visualize_embeddings(root, config)
"""

WRITE_BINARY_AND_ESCAPES = """
import os, sys, json
import numpy as np
import torch
from torch.utils.tensorboard import SummaryWriter

root = sys.argv[1]
run = os.path.join(root, "binary_run")
w = SummaryWriter(run)
w.add_scalar("loss", 1.0, 0)
w.close()
np.arange(200, dtype=np.float32).reshape(50, 4).tofile(os.path.join(run, "tensors.bin"))
with open(os.path.join(run, "labels.tsv"), "w") as f:
    f.write("label\\tgroup\\n" + "".join(f"r{i}\\tg{i % 3}\\n" for i in range(50)))
with open(os.path.join(run, "bookmarks.json"), "w") as f:
    json.dump([{"label": "first", "selectedPoints": [0, 1]}], f)
with open(os.path.join(root, "secret.tsv"), "w") as f:
    f.write("1\\t2\\n3\\t4\\n")
with open(os.path.join(run, "projector_config.pbtxt"), "w") as f:
    f.write('''embeddings {
  tensor_name: "bin"
  tensor_path: "tensors.bin"
  tensor_shape: 50
  tensor_shape: 4
  metadata_path: "labels.tsv"
  bookmarks_path: "bookmarks.json"
}
embeddings {
  tensor_name: "escape"
  tensor_path: "../secret.tsv"
  metadata_path: "../secret.tsv"
  bookmarks_path: "../secret.tsv"
  sprite { image_path: "../secret.tsv" single_image_dim: 2 single_image_dim: 2 }
}
''')
"""
