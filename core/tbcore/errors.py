"""Errors with a message meant for the user, mapped to HTTP statuses by the server."""


class PublicError(Exception):
    """An error whose message is safe and useful to show to the user."""

    http_status = 500


class InvalidArgumentError(PublicError):
    """The request names something malformed (bad regex, bad blob key, bad value)."""

    http_status = 400


class NotFoundError(PublicError):
    """The request names a run, tag, blob or asset that does not exist."""

    http_status = 404


class CommandError(Exception):
    """A command-line problem the user can fix; printed as one line, exit status 2."""
