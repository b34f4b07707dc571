"""The importer: order-line files (CSV, Excel, Parquet) into core, validated, nothing lost.

`plan()` sniffs the format and detects the column mapping; `run()` imports in one transaction
(or, with `dry_run`, does all of it and rolls back); `rejected_rows()` reads back what an import
rejected. The CLI (`salesdw import`) and the dashboard's Import page are thin layers over these.
"""

from salesdw.load.errors import ImportFileError, ImportRefused, MappingError
from salesdw.load.importer import (
    ImportOptions,
    ImportPlan,
    ImportResult,
    plan,
    rejected_rows,
    run,
)
from salesdw.load.validate import REASONS

__all__ = [
    "REASONS",
    "ImportFileError",
    "ImportOptions",
    "ImportPlan",
    "ImportRefused",
    "ImportResult",
    "MappingError",
    "plan",
    "rejected_rows",
    "run",
]
