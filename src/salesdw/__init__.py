"""salesdw: a PostgreSQL sales analytics warehouse for e-commerce teams."""

import logging

from salesdw.errors import SalesdwError
from salesdw.settings import Settings, get_settings

__all__ = ["SalesdwError", "Settings", "__version__", "get_settings"]
__version__ = "0.1.0"

# A library logs; the application (the CLI, a notebook) decides what is shown.
logging.getLogger("salesdw").addHandler(logging.NullHandler())
