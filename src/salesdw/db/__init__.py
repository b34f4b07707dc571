"""Connections: the embedded server or DATABASE_URL, and engines with clear errors."""

from salesdw.db.connect import database_url, get_engine
from salesdw.db.embedded import EmbeddedServer

__all__ = ["EmbeddedServer", "database_url", "get_engine"]
