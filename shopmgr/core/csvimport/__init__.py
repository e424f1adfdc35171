"""CSV import of shop data (DESIGN §8): `import_csv_file(kind=..., path=...)` and `KINDS`.

Layout: `parsing` (field parsers), `base` (reading, problems, lookups, writing), one module per
group of kinds, `kinds` (the registry, in import order), `service` (the entry point).
"""

from .base import ImportResult, Problem
from .kinds import KINDS
from .service import import_csv_file

__all__ = ["KINDS", "ImportResult", "Problem", "import_csv_file"]
