"""What can stop an import before or while it writes: each message says what to do."""

from __future__ import annotations

from salesdw.errors import SalesdwError


class ImportFileError(SalesdwError):
    """The file is missing, empty, or not a CSV, Excel or Parquet file of order lines."""

    exit_code = 2


class MappingError(SalesdwError):
    """The columns cannot be mapped: a required field is missing or the mapping file is wrong."""

    exit_code = 2


class ImportRefused(SalesdwError):
    """The warehouse cannot take this import (no schema, another currency)."""

    exit_code = 2
