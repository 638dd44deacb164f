"""Trellis analysis engine: pure numbers-in, numbers-out functions (no Django).

Submodules: ``effect_sizes`` (single-case effect sizes after SingleCaseES), ``ioa``
(interobserver agreement), ``progress`` (trend, aim lines, decision rules, celeration,
split-middle, conservative dual criterion), ``fba`` (ABC conditional probabilities) and
``summaries`` (session summaries per measure). See ``docs/analysis.md``.
"""

from . import effect_sizes, fba, ioa, progress, summaries
from ._base import AnalysisError

__all__ = ["AnalysisError", "effect_sizes", "fba", "ioa", "progress", "summaries"]
