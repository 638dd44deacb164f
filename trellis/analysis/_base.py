"""Shared error type and input checks for the analysis engine (no Django)."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np


class AnalysisError(ValueError):
    """The data cannot give the requested number; the message says why in plain words."""


def phase(values: Iterable[float], name: str, *, min_points: int = 1) -> np.ndarray:
    """Return ``values`` as a float array, refusing NaN, infinity and too-short phases.

    Missing values are refused rather than dropped (SingleCaseES drops them silently), so
    a gap in the record is never hidden from the supervisor.
    """
    try:
        arr = np.asarray(list(values), dtype=float)
    except (TypeError, ValueError) as exc:
        raise AnalysisError(f"{name} contains a value that is not a number.") from exc
    if arr.ndim != 1:
        raise AnalysisError(f"{name} must be a flat list of numbers.")
    if np.isnan(arr).any():
        raise AnalysisError(
            f"{name} contains a missing value (NaN); remove or record it before analysis."
        )
    if np.isinf(arr).any():
        raise AnalysisError(f"{name} contains an infinite value.")
    if arr.size < min_points:
        if arr.size == 0:
            raise AnalysisError(f"{name} has no data points.")
        raise AnalysisError(
            f"{name} has {arr.size} data point{'s' if arr.size != 1 else ''}; "
            f"at least {min_points} are needed."
        )
    return arr


def finite(x: float) -> float | None:
    """Return ``x`` as a float, or None when it is NaN or infinite."""
    x = float(x)
    return x if math.isfinite(x) else None
