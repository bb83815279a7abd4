"""The server's configuration, validated by pydantic so bad values get a message naming the field."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

_PLUGIN_NAME = re.compile(r"^[a-z0-9_-]+$")
_HOST_NAME = re.compile(r"^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?|\[[0-9A-Fa-f:.]+\])$")


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
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Host names the server answers besides loopback ones (behind a proxy)",
    )
    max_request_bytes: int = Field(
        8 << 20, ge=1024, description="largest request body accepted (413 beyond)"
    )
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

    @field_validator("allowed_hosts")
    @classmethod
    def _host_names(cls, names: list[str]) -> list[str]:
        for name in names:
            if not _HOST_NAME.match(name):
                raise ValueError(f"allowed hosts are host names without port, got {name!r}")
        return [name.lower() for name in names]

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
        return is_loopback(self.host)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address, IPv6 with or without brackets) is loopback:
    ``localhost``, 127.0.0.0/8 or ``::1``. Other names are not, whatever they resolve to."""
    name = host.lower()
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
