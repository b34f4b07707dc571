"""Errors a user can act on: each message says what is wrong and what to do about it."""


class SalesdwError(Exception):
    """Base class for errors the CLI prints as one line, exiting with `exit_code`."""

    exit_code = 1


class ConfigError(SalesdwError):
    """A setting is malformed (e.g. DATABASE_URL is not a PostgreSQL URL)."""

    exit_code = 2


class DatabaseUnreachable(SalesdwError):
    """The configured PostgreSQL server does not answer or refuses the connection."""

    exit_code = 2


class EmbeddedServerError(SalesdwError):
    """The embedded PostgreSQL server could not be initialised, started or stopped."""

    exit_code = 2
