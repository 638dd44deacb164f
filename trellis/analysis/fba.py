"""Descriptive functional behavior assessment from ABC (antecedent-behavior-consequence)
records: conditional probabilities and a ranking of hypothesized functions.

Method: conditional probability of each antecedent and consequence given the behavior,
compared with its unconditional probability across all records (Eckert, Martens &
DiGennaro, 2005, JABA 38, 187-200; Cooper, Heron & Heward, 2020, ch. 27). Functions follow
the four classes of Iwata et al. (1982/1994): attention, escape, tangible, automatic.

A function's score for a behavior is the mean of two conditional probabilities: that the
behavior is preceded by an antecedent mapped to the function, and that it is followed by a
consequence mapped to it. Evidence lists each mapped code seen with the behavior, with its
conditional and unconditional probability. Codes not in the mapping are reported in the
probability tables but give no evidence for any function. This is a hypothesis for a
supervisor to test (e.g. by functional analysis), not a conclusion.

Which function an antecedent or consequence suggests is the caller's judgement, passed in as
``antecedent_map`` / ``consequence_map`` (Trellis passes the function a supervisor set on each
pick-list option); the built-in maps below are only a default for callers without one.

Behaviors are grouped without regard to case, spacing, hyphens or underscores ("Call-out",
"call-out" and "call out" are one behavior, see :func:`behavior_key`); a group is shown with the
name ``behavior_names`` gives its key (e.g. the plan's defined behavior), else with its most
frequent spelling.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ._base import AnalysisError

__all__ = [
    "ANTECEDENT_FUNCTIONS",
    "CONSEQUENCE_FUNCTIONS",
    "FUNCTIONS",
    "BehaviorProfile",
    "FunctionHypothesis",
    "Probability",
    "analyze",
    "behavior_key",
]

FUNCTIONS = ("attention", "escape", "tangible", "automatic")

#: Antecedent code -> the function it sets up (motivating operation for that reinforcer).
ANTECEDENT_FUNCTIONS: dict[str, str] = {
    "attention_diverted": "attention",
    "attention_removed": "attention",
    "adult_busy": "attention",
    "low_attention": "attention",
    "peer_attention_diverted": "attention",
    "demand_placed": "escape",
    "task_presented": "escape",
    "instruction_given": "escape",
    "transition": "escape",
    "correction_given": "escape",
    "item_removed": "tangible",
    "item_denied": "tangible",
    "told_no": "tangible",
    "activity_ended": "tangible",
    "waiting": "tangible",
    "alone": "automatic",
    "no_interaction": "automatic",
    "unstructured_time": "automatic",
    "low_stimulation": "automatic",
}

#: Consequence code -> the function it would reinforce.
CONSEQUENCE_FUNCTIONS: dict[str, str] = {
    "attention_given": "attention",
    "reprimand": "attention",
    "redirection": "attention",
    "comfort": "attention",
    "peer_attention": "attention",
    "demand_removed": "escape",
    "task_removed": "escape",
    "break_given": "escape",
    "demand_delayed": "escape",
    "sent_out": "escape",
    "item_given": "tangible",
    "activity_given": "tangible",
    "access_given": "tangible",
    "ignored": "automatic",
    "no_consequence": "automatic",
    "no_response": "automatic",
}


@dataclass(frozen=True)
class Probability:
    """P(code | behavior) from ``count`` of ``n`` records, against P(code) overall."""

    count: int
    conditional: float
    unconditional: float

    @property
    def elevated(self) -> bool:
        return self.conditional > self.unconditional


@dataclass(frozen=True)
class FunctionHypothesis:
    function: str
    score: float
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class BehaviorProfile:
    behavior: str
    records: int
    antecedents: dict[str, Probability]
    consequences: dict[str, Probability]
    settings: dict[str, Probability]
    functions: tuple[FunctionHypothesis, ...]

    @property
    def top_function(self) -> str | None:
        """Highest-ranked function, or None when no record maps to any function."""
        best = self.functions[0]
        return best.function if best.score > 0 else None


_FIELDS = ("antecedent", "behavior", "consequence", "setting")


def behavior_key(text) -> str:
    """The grouping key of a behavior's name: case-folded, with hyphens, underscores and runs
    of whitespace read as one space."""
    return " ".join(str(text).replace("-", " ").replace("_", " ").split()).casefold()


def _normalize(record) -> dict[str, str | None]:
    if isinstance(record, Mapping):
        values = [record.get(k) for k in _FIELDS]
    else:
        values = list(record) + [None] * (4 - len(record))
        if len(values) > 4:
            raise AnalysisError(
                "An ABC record has at most antecedent, behavior, consequence and setting."
            )
    out = {
        k: (None if v is None or str(v).strip() == "" else str(v).strip())
        for k, v in zip(_FIELDS, values, strict=True)
    }
    if out["behavior"] is None:
        raise AnalysisError("Every ABC record needs a behavior.")
    return out


def _table(records, subset, key) -> dict[str, Probability]:
    overall = Counter(r[key] for r in records if r[key] is not None)
    given = Counter(r[key] for r in subset if r[key] is not None)
    return {
        code: Probability(given[code], given[code] / len(subset), overall[code] / len(records))
        for code in sorted(given, key=lambda c: (-given[c], c))
    }


def _behavior_names(recs, names: Mapping[str, str] | None) -> dict[str, str]:
    """Grouping key -> the name shown: from ``names`` (keys are made with behavior_key), else
    the most frequent spelling in the records (ties: the first seen)."""
    given = {behavior_key(k): v for k, v in (names or {}).items()}
    spellings: dict[str, Counter] = {}
    for r in recs:
        spellings.setdefault(behavior_key(r["behavior"]), Counter())[r["behavior"]] += 1
    return {key: given.get(key) or counts.most_common(1)[0][0] for key, counts in spellings.items()}


def analyze(
    records: Iterable, *, antecedent_map=None, consequence_map=None, behavior_names=None
) -> dict[str, BehaviorProfile]:
    """Profile each behavior in the ABC ``records`` (dicts with antecedent, behavior,
    consequence, setting, or tuples in that order). Antecedent and consequence codes are
    matched case-sensitively against the mappings (code -> function; the defaults above when
    not given, an empty mapping to map nothing). Behaviors are grouped by
    :func:`behavior_key` and keyed by their shown name (``behavior_names``: any spelling of a
    behavior -> the name to show). Raises :class:`AnalysisError` when there are no records or
    a record has no behavior."""
    recs = [_normalize(r) for r in records]
    if not recs:
        raise AnalysisError("There are no ABC records to analyze.")
    a_map = ANTECEDENT_FUNCTIONS if antecedent_map is None else antecedent_map
    c_map = CONSEQUENCE_FUNCTIONS if consequence_map is None else consequence_map
    for fn in {*a_map.values(), *c_map.values()} - {*FUNCTIONS, "none", None, ""}:
        raise AnalysisError(f"Unknown function {fn!r}: use one of {', '.join(FUNCTIONS)}.")
    shown = _behavior_names(recs, behavior_names)
    for r in recs:
        r["behavior"] = shown[behavior_key(r["behavior"])]
    profiles = {}
    for behavior in sorted({r["behavior"] for r in recs}, key=lambda b: (b.casefold(), b)):
        subset = [r for r in recs if r["behavior"] == behavior]
        ants = _table(recs, subset, "antecedent")
        cons = _table(recs, subset, "consequence")
        hypotheses = []
        for fn in FUNCTIONS:
            evidence, parts = [], []
            sources = (("antecedent", ants, a_map), ("consequence", cons, c_map))
            for label, table, mapping in sources:
                share = 0.0
                for code, p in table.items():
                    if mapping.get(code) == fn:
                        share += p.conditional
                        evidence.append(
                            f"{label} '{code}' in {p.count} of {len(subset)} records "
                            f"({p.conditional:.0%} vs {p.unconditional:.0%} of all records)"
                        )
                parts.append(share)
            hypotheses.append(FunctionHypothesis(fn, sum(parts) / 2, tuple(evidence)))
        hypotheses.sort(key=lambda h: (-h.score, FUNCTIONS.index(h.function)))
        profiles[behavior] = BehaviorProfile(
            behavior, len(subset), ants, cons, _table(recs, subset, "setting"), tuple(hypotheses)
        )
    return profiles
