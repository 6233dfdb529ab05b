"""The organisation's own audit thresholds, from the environment, so every page and command agrees.

Two of the audit's defaults (docs/domain.md) are configurable, and a provider may well set them differently:

- ``PCP_RAG_GREEN`` and ``PCP_RAG_AMBER``: a file score is green at ``green`` and above, amber
  from ``amber``, red below (80 and 60 unless set);
- ``PCP_MIN_STAFF_OBSERVATIONS``: how many observations a staff member needs before their
  practice is shown, so one visit never judges anyone (5 unless set).

They are read when they are used (the dashboards, the monthly report, the commissioner
export), and ``pcp serve`` checks them before it starts; a value that cannot be used is one
plain sentence naming the variable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pcp_widgets.environment import env_number
from pcp_widgets.errors import UsageError

RAG_DTYPE = pd.CategoricalDtype(["red", "amber", "green"], ordered=True)
#: At least this many observations before a staff member's practice is shown (docs/domain.md's default).
MIN_STAFF_OBSERVATIONS = 5


@dataclass(frozen=True)
class RagBands:
    """Red / amber / green by score: green at ``green`` and above, amber from ``amber``, red below."""

    green: float = 80.0
    amber: float = 60.0

    def band(self, scores) -> pd.Series:
        scores = pd.Series(scores, dtype="float64")
        codes = np.select([scores >= self.green, scores >= self.amber, scores.notna()], [2, 1, 0], -1)
        return pd.Series(pd.Categorical.from_codes(codes, dtype=RAG_DTYPE), index=scores.index)


def rag_bands() -> RagBands:
    """The bands set by ``PCP_RAG_GREEN`` and ``PCP_RAG_AMBER``, each defaulting to docs/domain.md's."""
    default = RagBands()
    green = env_number("PCP_RAG_GREEN", float)
    amber = env_number("PCP_RAG_AMBER", float)
    bands = RagBands(default.green if green is None else green, default.amber if amber is None else amber)
    if not 0 < bands.amber < bands.green <= 100:
        raise UsageError(f"The RAG bands must have 0 < amber < green <= 100 (PCP_RAG_AMBER and PCP_RAG_GREEN); "
                         f"they are amber {bands.amber:g} and green {bands.green:g}.")
    return bands


def min_staff_observations() -> int:
    """``PCP_MIN_STAFF_OBSERVATIONS``, or docs/domain.md's 5."""
    least = env_number("PCP_MIN_STAFF_OBSERVATIONS", int)
    if least is None:
        return MIN_STAFF_OBSERVATIONS
    if least < 1:
        raise UsageError(f"PCP_MIN_STAFF_OBSERVATIONS must be 1 or more, not {least}.")
    return least


def check_settings() -> None:
    """Raise the plain sentence for the first setting that cannot be used, if any."""
    rag_bands()
    min_staff_observations()
