"""The server's configuration, validated by pydantic so bad values get a message naming the field."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

_PLUGIN_NAME = re.compile(r"^[a-z0-9_-]+$")


class ServeConfig(BaseModel):
    """Everything ``tbcore serve`` (or ``create_app``) is configured with."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    logdir: str = Field(description="path, URL, or name:path,name2:path2")
    host: str = Field("127.0.0.1", description="address to bind; loopback unless asked")
    port: int = Field(6006, ge=0, le=65535, description="port; the next free one if taken")
    reload_interval: float = Field(
        1.0, ge=0, description="seconds between reloads of the logdir (0: only on request)"
    )
    plugins: list[str] | None = Field(None, description="load only these dashboards")
    disabled_plugins: list[str] = Field(default_factory=list, description="never load these")
    path_prefix: str = Field("", description="serve under this URL path, e.g. /tensorboard")
    window_title: str = ""
    plugin_options: dict[str, Any] = Field(
        default_factory=dict, description="values of options that plugins added to the CLI"
    )

    @field_validator("plugins", "disabled_plugins")
    @classmethod
    def _plugin_names(cls, names: list[str] | None) -> list[str] | None:
        for name in names or []:
            if not _PLUGIN_NAME.match(name):
                raise ValueError(f"plugin names are [a-z0-9_-]+, got {name!r}")
        return names

    @field_validator("path_prefix")
    @classmethod
    def _prefix(cls, prefix: str) -> str:
        prefix = prefix.rstrip("/")
        if prefix and not prefix.startswith("/"):
            raise ValueError(f"path_prefix must start with '/', got {prefix!r}")
        if any(c in prefix for c in "?#\\ "):
            raise ValueError(f"path_prefix must be a plain URL path, got {prefix!r}")
        return prefix

    @property
    def loopback(self) -> bool:
        """Whether the server binds to a loopback address only."""
        return self.host in ("127.0.0.1", "localhost", "::1") or self.host.startswith("127.")
