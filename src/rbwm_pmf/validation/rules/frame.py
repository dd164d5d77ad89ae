"""Column helpers for row checks. pandas is imported on first use, so reading workers that only
need the rule catalogue never import it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd


def blank(s: pd.Series) -> pd.Series:
    """Missing, or text of nothing but spaces.

    A comprehension over the values: pandas' string methods loop in Python for strings not
    stored by pyarrow, and cost several times more here.
    """
    import pandas as pd

    spaces = [isinstance(v, str) and not v.strip() for v in s.to_numpy(dtype=object)]
    return s.isna() | pd.Series(spaces, index=s.index, dtype=bool)


def number(s: pd.Series) -> pd.Series:
    """The column as numbers (NaN where it holds none)."""
    import pandas as pd

    return pd.to_numeric(s, errors="coerce")


def due(rows: pd.DataFrame) -> pd.Series:
    """Rows of indicators due this quarter and owned by the return's owner."""
    return rows["due"].astype(bool)
