"""The HTTP server: core routes, plugin mounting, security, live updates, the shell page."""

from tbcore.server.app import create_app

__all__ = ["create_app"]
