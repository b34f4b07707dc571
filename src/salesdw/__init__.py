"""salesdw: a PostgreSQL sales analytics warehouse for e-commerce teams."""

from salesdw.errors import SalesdwError
from salesdw.settings import Settings, get_settings

__all__ = ["SalesdwError", "Settings", "__version__", "get_settings"]
__version__ = "0.1.0"
