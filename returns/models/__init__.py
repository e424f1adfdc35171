"""Models of the returns app, one module per part of the business (DESIGN §1: returns and dunning).

- `rma`: returns (RMA), their lines and reasons, and the returns desk's records;
- `dunning`: receivables follow-up (dunning levels, runs, notices, base rates, hand-over).
"""

from .dunning import *  # noqa: F401,F403
from .rma import *  # noqa: F401,F403
