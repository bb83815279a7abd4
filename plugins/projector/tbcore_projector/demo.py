"""Demo runs for the projector and mesh dashboards, written with tbcore's own writer."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tbcore.summary import SummaryWriter

CLASSES = ("circle", "square", "cross", "ring", "dot")
POINTS_PER_CLASS = 120
DIMENSIONS = 32
THUMB = 12
MESH_STEPS = 8


def _thumbnail(kind: int, rng: np.random.Generator) -> np.ndarray:
    """A ``[3, THUMB, THUMB]`` picture of class ``kind`` in a random hue."""
    yy, xx = np.mgrid[0:THUMB, 0:THUMB] - (THUMB - 1) / 2
    r = np.hypot(xx, yy)
    shape = [
        r < 4.5,
        (np.abs(xx) < 4) & (np.abs(yy) < 4),
        (np.abs(xx) < 1.2) | (np.abs(yy) < 1.2),
        (r > 3) & (r < 5),
        r < 2,
    ][kind]
    hue = rng.uniform(0.3, 1.0, size=3)
    return shape[None].astype(np.float32) * hue[:, None, None]


def write_projector_demo(logdir: Path) -> None:
    """``projector_demo``: five clusters of points in 32 dimensions with a label, a class and
    a numeric ``size`` per point (a header row), and a thumbnail per point."""
    rng = np.random.default_rng(7)
    centres = rng.normal(scale=4.0, size=(len(CLASSES), DIMENSIONS))
    points, rows, images = [], [], []
    for kind, name in enumerate(CLASSES):
        for i in range(POINTS_PER_CLASS):
            size = rng.uniform(0.5, 2.0)
            points.append(centres[kind] + rng.normal(scale=size, size=DIMENSIONS))
            rows.append([f"{name}_{i}", name, f"{size:.2f}"])
            images.append(_thumbnail(kind, rng))
    with SummaryWriter(logdir / "projector_demo", flush_secs=3600) as writer:
        writer.add_scalar("demo/points", len(points), 0)  # an event file makes it a run
        writer.add_embedding(
            np.asarray(points, dtype=np.float32),
            metadata=rows,
            metadata_header=["label", "class", "size"],
            label_img=np.asarray(images),
            tag="clusters",
        )


def _torus_knot(twist: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vertices ``[1, N, 3]``, faces ``[1, F, 3]`` and colours ``[1, N, 3]`` of a tube around
    a (2, 3) torus knot, its cross-section twisted by ``twist``."""
    around, along = 12, 160
    t = np.linspace(0, 2 * np.pi, along, endpoint=False)
    centre = np.stack(
        [(2 + np.cos(3 * t)) * np.cos(2 * t), (2 + np.cos(3 * t)) * np.sin(2 * t), np.sin(3 * t)],
        axis=1,
    )
    tangent = np.gradient(centre, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    normal = np.cross(tangent, [0.0, 0.0, 1.0])
    normal /= np.linalg.norm(normal, axis=1, keepdims=True)
    binormal = np.cross(tangent, normal)
    a = np.linspace(0, 2 * np.pi, around, endpoint=False)[None, :] + twist * t[:, None]
    radius = 0.35
    vertices = centre[:, None] + radius * (
        np.cos(a)[..., None] * normal[:, None] + np.sin(a)[..., None] * binormal[:, None]
    )
    vertices = vertices.reshape(-1, 3)
    i, j = np.meshgrid(np.arange(along), np.arange(around), indexing="ij")
    v00 = i * around + j
    v10 = ((i + 1) % along) * around + j
    v01 = i * around + (j + 1) % around
    v11 = ((i + 1) % along) * around + (j + 1) % around
    faces = np.concatenate([np.stack([v00, v10, v11], -1), np.stack([v00, v11, v01], -1)])
    hue = np.repeat(t / (2 * np.pi), around)
    colours = np.stack(
        [128 + 127 * np.cos(2 * np.pi * (hue + k / 3)) for k in range(3)], axis=1
    ).astype(np.uint8)
    return vertices[None].astype(np.float32), faces.reshape(1, -1, 3), colours[None]


def write_mesh_demo(logdir: Path) -> None:
    """``mesh_demo``: a coloured tube around a torus knot that twists more at every step, and
    a point cloud (a noisy sphere) beside it."""
    rng = np.random.default_rng(3)
    with SummaryWriter(logdir / "mesh_demo", flush_secs=3600) as writer:
        for step in range(MESH_STEPS):
            vertices, faces, colours = _torus_knot(step * 0.5)
            writer.add_mesh("knot", vertices, colors=colours, faces=faces, global_step=step)
            cloud = rng.normal(size=(1, 2000, 3))
            cloud /= np.linalg.norm(cloud, axis=2, keepdims=True)
            cloud *= 1 + 0.05 * step * rng.normal(size=(1, 2000, 1))
            tint = np.clip((cloud + 1) * 127.5, 0, 255).astype(np.uint8)
            writer.add_mesh(
                "sphere_cloud",
                cloud.astype(np.float32),
                colors=tint,
                config_dict={"material": {"cls": "PointsMaterial", "size": 0.05}},
                global_step=step,
            )
