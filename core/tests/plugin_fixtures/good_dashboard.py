"""A working test dashboard with the kinds of routes real dashboards have."""

from pathlib import Path

from starlette.requests import Request
from starlette.routing import Route

from tbcore import hookimpl
from tbcore.errors import InvalidArgumentError
from tbcore.plugin import Plugin


class Good(Plugin):
    name = "good"
    title = "Good"
    order = 5
    static_dir = Path(__file__).parent / "good_static"
    read_only_posts = frozenset({"query"})

    def routes(self) -> list[Route]:
        def echo(request: Request) -> dict:
            runs = [r.run_name for r in self.provider.list_runs()]
            return {"runs": runs, "odd": [float("nan"), float("inf"), float("-inf"), 1.5]}

        def bad_argument(request: Request) -> dict:
            raise InvalidArgumentError("tag must be given")

        def big(request: Request) -> dict:
            return {"values": list(range(20000))}

        from tbcore.server.responses import JSONResponse

        def as_json(fn):  # type: ignore[no-untyped-def]
            return lambda request: JSONResponse(fn(request))

        def options(request: Request) -> dict:
            return dict(self.context.config.plugin_options)

        return [
            Route("/echo", as_json(echo)),
            Route("/options", as_json(options)),
            Route("/bad_argument", as_json(bad_argument)),
            Route("/big", as_json(big)),
            Route("/query", as_json(lambda r: {"ok": True}), methods=["POST"]),
            Route("/mutate", as_json(lambda r: {"changed": True}), methods=["POST"]),
        ]


class Fragile(Plugin):
    name = "fragile"
    order = 6

    def routes(self) -> list[Route]:
        def boom(request: Request) -> None:
            raise RuntimeError("kaboom")

        return [Route("/boom", boom)]


class Inactive(Plugin):
    name = "inactive"
    data_plugin_names = ("nothing_writes_this",)


@hookimpl
def tbcore_register_plugins(context):  # type: ignore[no-untyped-def]
    return [Good(context), Fragile(context), Inactive(context)]


@hookimpl
def tbcore_add_cli_arguments(parser, command):  # type: ignore[no-untyped-def]
    parser.add_argument("--good-greeting", default="hello", help="what the good dashboard says")
