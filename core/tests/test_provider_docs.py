"""docs/data_provider.md keeps in step with the code: every public method of the data provider
with its exact signature, every type it hands out with its exact fields, and examples that run.

The page shows the API as Python stubs (``class DataProvider:`` with ``def ...: ...`` methods,
dataclasses with their fields); these tests parse them and compare them with the classes.
Code blocks whose first line is ``# my_dashboard/<path>`` are examples: they are written out as
a package and run with pytest.
"""

from __future__ import annotations

import ast
import dataclasses
import enum
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import tbcore.data
from tbcore import errors
from tbcore.data import DataProvider, LogdirDataProvider

DOC = Path(__file__).resolve().parents[2] / "docs" / "data_provider.md"
EXAMPLE_PREFIX = "# my_dashboard/"

Param = tuple[str, str, str | None, str | None]
"""(kind, name, annotation, default) of one parameter, each as normalized source text."""
Signature = tuple[list[Param], str | None]


def documented_types() -> dict[str, type]:
    """The classes the page must document: all of ``tbcore.data`` and the provider's errors."""
    types: dict[str, type] = {name: getattr(tbcore.data, name) for name in tbcore.data.__all__}
    for cls in (errors.PublicError, errors.InvalidArgumentError, errors.NotFoundError):
        types[cls.__name__] = cls
    return types


def python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, re.M | re.S)


def documented_classes(text: str) -> dict[str, list[ast.ClassDef]]:
    """Every top-level class stub of the page's reference blocks, by name (a class may be
    shown in several blocks, a few methods at a time)."""
    classes: dict[str, list[ast.ClassDef]] = {}
    for block in python_blocks(text):
        if block.startswith(EXAMPLE_PREFIX):
            continue
        for node in ast.parse(block).body:
            if isinstance(node, ast.ClassDef):
                classes.setdefault(node.name, []).append(node)
    return classes


def _source(text: str) -> str:
    return ast.unparse(ast.parse(text, mode="eval"))


def _annotation(value: Any) -> str | None:
    if value is inspect.Parameter.empty:
        return None
    return _source(value if isinstance(value, str) else inspect.formatannotation(value))


def _doc_annotation(node: ast.expr | None) -> str | None:
    return None if node is None else ast.unparse(node)


def _doc_default(node: ast.expr | None) -> str | None:
    if node is None:
        return None
    try:
        return repr(ast.literal_eval(node))
    except ValueError:
        return ast.unparse(node)


def code_signature(fn: Any) -> Signature:
    sig = inspect.signature(fn)
    params = [
        (
            p.kind.name,
            p.name,
            _annotation(p.annotation),
            None if p.default is p.empty else repr(p.default),
        )
        for p in sig.parameters.values()
    ]
    return params, _annotation(sig.return_annotation)


def doc_signature(fn: ast.FunctionDef) -> Signature:
    a = fn.args
    positional = a.posonlyargs + a.args
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(a.defaults))
    defaults += a.defaults
    params: list[Param] = []
    for i, (arg, default) in enumerate(zip(positional, defaults)):
        kind = "POSITIONAL_ONLY" if i < len(a.posonlyargs) else "POSITIONAL_OR_KEYWORD"
        params.append((kind, arg.arg, _doc_annotation(arg.annotation), _doc_default(default)))
    if a.vararg:
        params.append(("VAR_POSITIONAL", a.vararg.arg, _doc_annotation(a.vararg.annotation), None))
    for arg, default in zip(a.kwonlyargs, a.kw_defaults):
        params.append(
            ("KEYWORD_ONLY", arg.arg, _doc_annotation(arg.annotation), _doc_default(default))
        )
    if a.kwarg:
        params.append(("VAR_KEYWORD", a.kwarg.arg, _doc_annotation(a.kwarg.annotation), None))
    return params, _doc_annotation(fn.returns)


def _function(value: Any) -> Any:
    """The plain function behind a class attribute (unwrapping classmethod/staticmethod)."""
    if isinstance(value, (classmethod, staticmethod)):
        value = value.__func__
    return value if inspect.isfunction(value) else None


def _method(cls: type, name: str) -> Any:
    for klass in cls.__mro__:
        if name in vars(klass):
            return _function(vars(klass)[name])
    return None


def required_methods(cls: type) -> set[str]:
    """Methods a class's stub must show: its public methods that no base class defines (an
    override is documented with the base), and ``__init__`` where the class writes its own."""
    names = {
        name
        for name, value in vars(cls).items()
        if _function(value) is not None
        and not name.startswith("_")
        and not any(name in vars(base) for base in cls.__mro__[1:])
    }
    if "__init__" in vars(cls) and not dataclasses.is_dataclass(cls):
        names.add("__init__")
    return names


def _fields(cls: type) -> list[tuple[str, str | None, str | None]]:
    out = []
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            default: str | None = repr(f.default)
        elif f.default_factory is not dataclasses.MISSING:
            default = _source(
                f"field(default_factory={getattr(f.default_factory, '__name__', '?')})"
            )
        else:
            default = None
        out.append((f.name, _annotation(f.type), default))
    return out


def _dataclass_decorator(node: ast.ClassDef) -> ast.expr | None:
    for deco in node.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        if isinstance(target, ast.Name) and target.id == "dataclass":
            return deco
    return None


def class_problems(cls: type, nodes: list[ast.ClassDef]) -> list[str]:
    """How the stubs ``nodes`` of one class differ from the class itself."""
    name = cls.__name__
    problems: list[str] = []
    bases = [b.__name__ for b in cls.__bases__ if b is not object]
    for node in nodes:
        shown = [ast.unparse(b) for b in node.bases]
        if shown != bases:
            problems.append(f"{name}: bases shown as {shown}, are {bases}")

    methods: dict[str, ast.FunctionDef] = {}
    fields: list[tuple[str, str | None, str | None]] = []
    assigns: list[tuple[str, Any]] = []
    for node in nodes:
        for item in node.body:
            if isinstance(item, ast.FunctionDef):
                if item.name in methods:
                    problems.append(f"{name}.{item.name} is shown twice")
                methods[item.name] = item
            elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                fields.append(
                    (item.target.id, _doc_annotation(item.annotation), _doc_default(item.value))
                )
            elif isinstance(item, ast.Assign):
                for target in item.targets:
                    assert isinstance(target, ast.Name), ast.unparse(item)
                    assigns.append((target.id, ast.literal_eval(item.value)))

    for method_name in sorted(required_methods(cls) - set(methods)):
        problems.append(f"{name}.{method_name} is not documented")
    for method_name, fn in sorted(methods.items()):
        real = _method(cls, method_name)
        if real is None:
            problems.append(f"{name}.{method_name} is documented but does not exist")
            continue
        documented, actual = doc_signature(fn), code_signature(real)
        if documented != actual:
            problems.append(f"{name}.{method_name}: signature shown as {documented}, is {actual}")

    decorator = [_dataclass_decorator(node) for node in nodes if node.body]
    if dataclasses.is_dataclass(cls):
        if fields != _fields(cls):
            problems.append(f"{name}: fields shown as {fields}, are {_fields(cls)}")
        frozen = cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
        for deco in decorator:
            if deco is None:
                problems.append(f"{name} is a dataclass; its stub lacks @dataclass")
                continue
            keywords = deco.keywords if isinstance(deco, ast.Call) else []
            shown_frozen = any(
                k.arg == "frozen" and ast.literal_eval(k.value) is True for k in keywords
            )
            if shown_frozen != frozen:
                problems.append(f"{name}: frozen shown as {shown_frozen}, is {frozen}")
    elif fields or any(deco is not None for deco in decorator):
        problems.append(f"{name} is shown as a dataclass but is not one")

    if isinstance(cls, enum.EnumMeta):
        members = [(m.name, m.value) for m in cls]  # type: ignore[var-annotated]
        if assigns != members:
            problems.append(f"{name}: members shown as {assigns}, are {members}")
    else:
        for attr, value in assigns:
            if getattr(cls, attr, object()) != value:
                problems.append(
                    f"{name}.{attr} shown as {value!r}, is {getattr(cls, attr, None)!r}"
                )
    return problems


def reference_problems(text: str, types: dict[str, type]) -> list[str]:
    """Every difference between the page ``text`` and the classes ``types``."""
    classes = documented_classes(text)
    problems = [f"{name} is not documented" for name in sorted(set(types) - set(classes))]
    problems += [
        f"{name} is documented but not exported" for name in sorted(set(classes) - set(types))
    ]
    for name in sorted(set(types) & set(classes)):
        problems += class_problems(types[name], classes[name])
    return problems


def test_every_method_and_type_is_documented_exactly() -> None:
    assert reference_problems(DOC.read_text(), documented_types()) == []


def test_the_data_provider_methods_are_all_on_the_page() -> None:
    # The main promise, stated on its own: every public method of the interface has a stub.
    shown = {
        fn.name
        for node in documented_classes(DOC.read_text())["DataProvider"]
        for fn in node.body
        if isinstance(fn, ast.FunctionDef)
    }
    public = {
        name
        for name, _ in inspect.getmembers(DataProvider, inspect.isfunction)
        if not name.startswith("_")
    }
    assert shown == public


def test_the_logdir_provider_keeps_the_interface_signatures() -> None:
    # Dashboards call LogdirDataProvider through the documented DataProvider signatures.
    for name, fn in inspect.getmembers(DataProvider, inspect.isfunction):
        if not name.startswith("_"):
            assert code_signature(getattr(LogdirDataProvider, name)) == code_signature(fn), name


def test_the_imports_on_the_page_work() -> None:
    for block in python_blocks(DOC.read_text()):
        for node in ast.parse(block).body:
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tbcore"):
                exec(compile(ast.Module(body=[node], type_ignores=[]), str(DOC), "exec"), {})


HTTP_TEST = '''
"""Added by core/tests/test_provider_docs.py: the example's routes over real HTTP."""
import json
import threading
import time
import urllib.error
import urllib.request

import uvicorn

from my_dashboard.plugin import MyDashboard
from tbcore import hookimpl
from tbcore.config import ServeConfig
from tbcore.server.app import create_app
from tbcore.summary import SummaryWriter


class Hooks:
    @hookimpl
    def tbcore_register_plugins(self, context):
        return [MyDashboard(context)]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_routes_over_http(tmp_path):
    with SummaryWriter(tmp_path / "train") as writer:
        for step in range(100):
            writer.add_scalar("loss", 1.0 / (step + 1), step)
    config = ServeConfig(logdir=str(tmp_path), reload_interval=0)
    app = create_app(config, plugins=[Hooks()], autoload=False)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        base = f"http://127.0.0.1:{port}/data/plugin/my_dashboard/"
        while get(base + "scalars?run=train&tag=loss")[0] == 404:  # first load in background
            assert time.monotonic() < deadline
            time.sleep(0.02)
        status, body = get(base + "scalars?run=train&tag=loss&samples=5")
        assert (status, body["step"]) == (200, [0, 24, 49, 74, 99])
        assert get(base + "scalars?run=train&tag=nope")[0] == 404
        assert get(base + "scalars?run=train&tag=loss&samples=-1")[0] == 400
        assert get(base + "scalars?run=train&tag=loss&samples=x")[0] == 400
        assert get(base + "latest?run=train")[0] == 404
        assert get(base + "scalars?run=train&tag=loss")[0] == 200  # still enabled
    finally:
        server.should_exit = True
        thread.join(timeout=10)
'''


def test_the_examples_run(tmp_path: Path) -> None:
    examples = [b for b in python_blocks(DOC.read_text()) if b.startswith(EXAMPLE_PREFIX)]
    paths = [block.splitlines()[0][len("# ") :] for block in examples]
    assert paths == ["my_dashboard/plugin.py", "my_dashboard/tests/test_plugin.py"]
    for path, block in zip(paths, examples):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(block)
    (tmp_path / "my_dashboard" / "__init__.py").write_text("")
    (tmp_path / "my_dashboard" / "tests" / "test_http.py").write_text(HTTP_TEST)
    env = dict(os.environ, PYTHONPATH=str(tmp_path))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-W",
            "error",
            "--rootdir",
            str(tmp_path),
            "my_dashboard/tests",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout, result.stdout
