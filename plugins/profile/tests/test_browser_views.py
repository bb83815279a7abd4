"""The comparison, distributed, kernel and call-stack views in headless Chromium against a
real ``tbcore serve`` process: the comparison lists the slower operators first and marks them,
the distributed view has one row per worker of a gloo job written by torch.profiler, the kernel
table has a tensor-core column, clicking an operator shows its call stacks; no console errors."""

from __future__ import annotations

import json
import shutil
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tbcore_profile.demo import kineto_trace, write_demo

GPU_RUN = "profile_demo/resnet_gpu"
RUNS = 8
V100_TRACE = Path(__file__).parent / "data" / "resnet50_num_workers_0" / "worker0.1623143089861.pt.trace.json.gz"
"""A real CUDA trace recorded on a V100 (``data/README.md``)."""


@pytest.fixture(scope="module")
def server_url(torch_logdir: Path, distributed_logdir: Path, tmp_path_factory: pytest.TempPathFactory,
               write_run: Callable[..., Path], make_slower: Callable[[dict], dict], tbcore_server: Any) -> Iterator[str]:
    logdir = tmp_path_factory.mktemp("profile_browser_views")
    shutil.copytree(torch_logdir, logdir, dirs_exist_ok=True)
    shutil.copytree(distributed_logdir, logdir, dirs_exist_ok=True)
    write_demo(logdir)
    write_run(logdir / "slower", {"worker0.1.pt.trace.json": make_slower(kineto_trace(steps=4, gpu=True, seed=2))})
    write_run(logdir / "v100", {V100_TRACE.name: V100_TRACE.read_bytes()})
    with tbcore_server(logdir, "--plugins", "profile", runs=RUNS) as url:
        yield url


def _choose(page: Any, run: str, view: str) -> None:
    page.select_option("select.profile-run", run)
    page.click(f'button.profile-view-button[data-view="{view}"]')
    page.wait_for_selector(f"section.profile-section[data-view='{view}']")


def _cells(page: Any, table: str, index: int) -> list[str]:
    return page.locator(f"table.{table} tbody tr").evaluate_all(
        f"rows => rows.map(r => r.children[{index}].textContent)"
    )


def test_comparison_lists_the_slower_operators_first(page: Any) -> None:
    _choose(page, "slower", "compare")
    base = page.locator("select.profile-base")
    label = next(t for t in base.locator("option").all_inner_texts() if t.startswith(GPU_RUN))
    base.select_option(label=label)
    page.wait_for_function(
        "run => document.querySelector('.profile-compare-body[data-loaded]')?.textContent.includes('against ' + run)",
        arg=GPU_RUN,
    )
    rows = page.locator("table.profile-compare-operators tbody tr")
    assert _cells(page, "profile-compare-operators", 0)[0] == "aten::mm"
    assert rows.nth(0).get_attribute("class") == "profile-slower"
    assert _cells(page, "profile-compare-operators", 1)[0] == "slower"
    assert rows.nth(1).get_attribute("class") == "profile-same"
    assert _cells(page, "profile-compare-operators", 2)[0].startswith("+")
    table = page.locator("table.profile-compare-operators")
    assert table.get_attribute("data-sort-key") == "device_self_us_delta"
    assert table.get_attribute("data-sort-dir") == "desc"
    kernels = _cells(page, "profile-compare-kernels", 1)
    assert kernels[0] == "new" and kernels[-1] == "gone"
    categories = _cells(page, "profile-compare-breakdown", 0)
    assert "Kernel" in categories and "Step total" in categories
    # grouping by input shapes keeps the slower one first
    page.select_option("select.profile-compare-group", "name_shapes")
    page.wait_for_function("() => [...document.querySelectorAll('table.profile-compare-operators th')]"
                           ".some(th => th.textContent.startsWith('Input shapes'))")
    assert _cells(page, "profile-compare-operators", 0)[0] == "aten::mm"


def test_distributed_view_shows_one_row_per_worker(page: Any) -> None:
    _choose(page, "ddp", "distributed")
    page.wait_for_selector("table.profile-workers")
    assert _cells(page, "profile-workers", 0) == ["worker0", "worker1"]
    headers = page.locator("table.profile-workers thead th").all_inner_texts()
    wait = next(i for i, text in enumerate(headers) if text.startswith("Wait"))
    waits = _cells(page, "profile-workers", wait)
    assert all(w.endswith(("µs", "ms", " s")) for w in waits)
    bars = page.locator("table.profile-workers .profile-worker-bar")
    assert bars.count() == 2
    assert bars.nth(0).locator(".profile-bar-part").count() == 4
    assert page.locator("table.profile-worker-steps tbody tr").count() == 8
    assert set(_cells(page, "profile-collectives", 1)) == {"gloo:all_reduce"}
    # 4 steps of all_reduce over the float32 gradients of Linear(64, 256) and Linear(256, 10): 16 calls
    headers = page.locator("table.profile-collectives thead th").all_inner_texts()
    size = next(i for i, text in enumerate(headers) if text.startswith("Size"))
    mean = next(i for i, text in enumerate(headers) if text.startswith("Mean size"))
    parameters = 64 * 256 + 256 + 256 * 10 + 10
    assert _cells(page, "profile-collectives", size) == [f"{4 * parameters * 4 / 1024:.1f} KiB"] * 2
    assert _cells(page, "profile-collectives", mean) == [f"{4 * parameters * 4 / 16 / 1024:.1f} KiB"] * 2
    assert page.locator(".profile-wait-note").count() == 0


def test_kernel_table_shows_tensor_core_use(page: Any) -> None:
    _choose(page, "slower", "kernels")
    headers = page.locator("table.profile-kernels thead th").all_inner_texts()
    column = next(i for i, text in enumerate(headers) if text.startswith("Tensor cores"))
    names = _cells(page, "profile-kernels", 0)
    used = dict(zip(names, _cells(page, "profile-kernels", column)))
    assert {v for v in used.values()} == {"Yes", "No"}
    assert all(("16816" in name) == (flag == "Yes") for name, flag in used.items())
    _choose(page, "slower", "overview")
    assert page.locator("table.profile-devices .profile-tensor-cores").first.inner_text().endswith("%")
    assert "Tensor cores:" in page.locator(".profile-summary").inner_text()


def test_clicking_an_operator_shows_its_call_stacks(page: Any) -> None:
    _choose(page, "train", "operators")
    row = page.locator("table.profile-operators tbody tr", has=page.locator("td", has_text="aten::addmm")).first
    row.click()
    page.wait_for_selector(".profile-stacks[data-stacks]")
    assert page.locator(".profile-stacks").get_attribute("data-stacks") == "2"
    frames = page.locator(".profile-stacks ol").first.locator("li").all_inner_texts()
    assert any("linear.py" in f for f in frames) and any(f.startswith("nn.Module: Linear") for f in frames)
    assert "profile-selected" in (row.get_attribute("class") or "")


def test_the_overview_of_a_real_cuda_trace_shows_the_gpu_metrics(page: Any, server_url: str) -> None:
    with urllib.request.urlopen(f"{server_url}data/plugin/profile/overview?run=v100", timeout=60) as response:
        (gpu,) = json.loads(response.read())["devices"]
    _choose(page, "v100", "overview")
    page.wait_for_selector("table.profile-devices")
    headers = page.locator("table.profile-devices thead th").all_inner_texts()
    (row,) = page.locator("table.profile-devices tbody tr").all()
    cells = dict(zip(headers, row.locator("td").all_inner_texts()))
    assert cells["Name"] == "Tesla V100-DGXS-32GB" and cells["Kernels"] == str(gpu["kernels"])
    assert cells["Utilization"] == f"{100 * gpu['utilization']:.1f}%"
    assert cells["Est. SM efficiency"] == f"{100 * gpu['sm_efficiency']:.1f}%"
    assert cells["Est. occupancy"] == f"{gpu['occupancy']:.1f}%"
    assert cells["Tensor cores"] == "0.0%"
    categories = page.locator(".profile-bar-part").evaluate_all("parts => parts.map(p => p.dataset.category)")
    assert categories[:4] == ["kernel", "memcpy", "memset", "runtime"]
    assert page.locator("table.profile-steps tbody tr").count() == 6
    # FP32 training on a V100: eligible operators, no tensor-core kernel, and advice about it
    assert "could run on tensor cores" in page.locator(".profile-recommendations").inner_text()
    _choose(page, "v100", "operators")
    headers = page.locator("table.profile-operators thead th").all_inner_texts()
    eligible = next(i for i, text in enumerate(headers) if text.startswith("Tensor cores eligible"))
    rows = dict(zip(_cells(page, "profile-operators", 0), _cells(page, "profile-operators", eligible)))
    assert rows["aten::cudnn_convolution"] == "Yes" and rows["aten::add_"] == "No"
