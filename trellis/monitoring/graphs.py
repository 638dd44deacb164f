"""Goal graphs with matplotlib (Agg, no pyplot state): the ABA / CBM line graph, the standard
celeration chart and the probe (CBM) graph with norm bands; as CSP-safe inline SVG (no script,
no style element or attribute: presentation attributes only), PNG and PDF.

The drawing functions take a `GraphData` (plain numbers and dates), so the benchmark and the
tests draw constructed data without a database.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from html import escape

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import (  # noqa: E402
    FixedLocator,
    FuncFormatter,
    MaxNLocator,
    NullFormatter,
    NullLocator,
)

from trellis.analysis import progress  # noqa: E402
from trellis.analysis._base import AnalysisError  # noqa: E402
from trellis.monitoring.rules import PhaseInfo, Point, TargetInfo  # noqa: E402

matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",  # real <text>: selectable, small, sharp
        "font.family": "DejaVu Sans",
        "font.size": 11,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)

INK = "#1f2933"
DATA = "#1d4ed8"
AIM = "#15803d"
TREND = "#b45309"
PHASE = "#6b7280"
GOAL = "#7c3aed"
MASTERY = "#0f766e"
BAND = "#dbeafe"

PERIODS = ("session", "day", "week")

# Text sizes (points). A graph is drawn WIDTH inches wide and shown about 600-750 px wide on a
# laptop (the panel's graph column), so 10 pt tick labels show at about 14-16 px, and stay
# legible at a phone's 390 px.
WIDTH = 6.4
TICK_SIZE = 10
LABEL_SIZE = 11
TITLE_SIZE = 13.5
NOTE_SIZE = 10  # subtitle, key, phase and mastery labels
SMALL_SIZE = 9  # target marks, the norms' source
# Average advance of a DejaVu Sans character, in ems: enough to lay text out without
# measuring it (a renderer's measure costs more than the whole layout).
CHAR_EM = 0.6


@dataclass
class GraphData:
    """Everything a goal graph shows, already computed."""

    title: str
    unit: str
    points: list[Point]  # goal-level points, time order
    phases: list[PhaseInfo] = field(default_factory=list)
    targets: list[TargetInfo] = field(default_factory=list)
    aim: progress.AimLine | None = None
    trend: progress.Line | None = None  # on ordinal days
    trend_dates: tuple[dt.date, dt.date] | None = None
    trend_per_week: float | None = None
    goal_value: float | None = None
    goal_date: dt.date | None = None
    mastery: list[int] = field(default_factory=list)
    summed: bool = False  # per day/week: add values (counts) instead of averaging them
    minutes: dict = field(default_factory=dict)  # session id -> observation minutes
    norms: dict = field(default_factory=dict)  # season -> (p25, p50, p75)
    norms_source: str = ""


# --- data shaping -------------------------------------------------------------------------


def aggregate(points: list[Point], per: str, *, summed: bool) -> list[Point]:
    """One point per session, or per day / ISO week (Monday) within a phase (a bucket never
    spans a phase change): the sum of counts or the mean of anything else."""
    if per == "session":
        return list(points)
    if per not in PERIODS:
        raise ValueError(f"per must be one of {PERIODS}")
    buckets = defaultdict(list)
    order = []
    for p in points:
        start = p.date if per == "day" else p.date - dt.timedelta(days=p.date.weekday())
        key = (start, p.phase_id)
        if key not in buckets:
            order.append(key)
        buckets[key].append(p)
    out = []
    for key in order:
        group = buckets[key]
        values = [p.value for p in group]
        value = sum(values) if summed else sum(values) / len(values)
        first = group[0]
        out.append(
            Point(
                date=max(key[0], first.date) if per == "week" else key[0],
                value=value,
                phase_id=first.phase_id,
                phase_kind=first.phase_kind,
                phase_name=first.phase_name,
                session=f"{len(group)} session(s)",
            )
        )
    return out


def runs(points: list[Point]) -> list[list[Point]]:
    """Consecutive points of one phase: a data path never crosses a phase change."""
    out = []
    for p in points:
        if out and out[-1][-1].phase_id == p.phase_id:
            out[-1].append(p)
        else:
            out.append([p])
    return out


# --- drawing ------------------------------------------------------------------------------


def _day(d: dt.date) -> float:
    return float(d.toordinal())


def _date_axis(ax, lo: float, hi: float):
    span = max(hi - lo, 1.0)
    step = next(s for s in (1, 7, 14, 28, 56, 91, 182, 364, 728) if span / s <= 6)
    first = lo - (lo % step if step < 28 else 0)
    ticks = [first + i * step for i in range(int(span / step) + 2)]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    fmt = "%b %-d" if span < 300 else "%b %Y"
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda x, _pos: dt.date.fromordinal(int(x)).strftime(fmt))
    )


def _text_width(text: str, size: float) -> float:
    """Estimated width of `text` in points at font `size`."""
    return len(text) * size * CHAR_EM


def _figure(width=WIDTH, height=4.0, *, top_rows=3):
    """A figure with one Axes and margins in inches (so larger text never runs off the edge):
    room on the left for the y tick labels and axis label, and above the axes for the title
    and `top_rows` lines of subtitle and key."""
    fig = Figure(figsize=(width, height), dpi=100, layout=None)
    top = 0.12 + TITLE_SIZE / 72 * 1.35 + top_rows * NOTE_SIZE / 72 * 1.45
    fig.subplots_adjust(
        left=0.78 / width, right=1 - 0.36 / width, top=1 - top / height, bottom=0.62 / height
    )
    ax = fig.add_subplot()
    ax.tick_params(colors=INK, labelsize=TICK_SIZE)
    # Few y ticks: every tick is two lines and a text to lay out (most of the drawing time).
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
    return fig, ax


def _line_y(fig, row: int) -> float:
    """Figure y of text line `row` under the title (0: the subtitle)."""
    height = fig.get_figheight()
    return 1 - (0.12 + TITLE_SIZE / 72 * 1.35 + (row + 1) * NOTE_SIZE / 72 * 1.45) / height


def phase_label_layout(phases, lo: float, hi: float, axes_width_pt: float, *, rows=3):
    """Where each phase label goes: [(x, row, text)]. A label starts just right of its phase
    line; when it would run into an earlier label it drops to the next row (up to `rows`),
    and when no row is free it is shortened with an ellipsis to fit before the next phase
    line, so labels never overlap (e.g. "Baseline" and "Intervention" two days apart)."""
    per_day = axes_width_pt / max(hi - lo, 1.0)
    pad = 3.0  # points between a label and what follows it
    ends = [-float("inf")] * rows  # per row, where its last label ends (points)
    starts = [(_day(ph.starts_on) - 0.5 - lo) * per_day + 2.0 for ph in phases]
    out = []
    for index, ph in enumerate(phases):
        x = starts[index]
        text = ph.name
        width = _text_width(text, NOTE_SIZE)
        row = next((r for r in range(rows) if ends[r] + pad <= x), None)
        # Room to the next phase line on the same row is not needed (the next label may
        # drop a row), but the right edge of the axes is a hard limit.
        room = axes_width_pt - x
        if row is None:
            # Every row is taken here: the row whose label ends first, shortened to end
            # before the next phase line.
            row = min(range(rows), key=lambda r: ends[r])
            following = starts[index + 1] if index + 1 < len(starts) else axes_width_pt
            room = min(room, following - x - pad)
            x = max(x, ends[row] + pad)
            room = min(room, axes_width_pt - x)
        if width > room:
            keep = max(int(room / (NOTE_SIZE * CHAR_EM)) - 1, 1)
            text = text[:keep].rstrip() + "…"
            width = _text_width(text, NOTE_SIZE)
        ends[row] = x + width
        out.append((lo + (x / per_day), row, text))
    return out


def _phase_lines(ax, phases: list[PhaseInfo], lo: float, hi: float):
    """Dashed vertical phase-change lines, half a day before each phase starts (one
    collection: a line per phase would be an artist each)."""
    xs = [
        _day(ph.starts_on) - 0.5
        for index, ph in enumerate(phases)
        if index > 0 or lo < _day(ph.starts_on) - 0.5
    ]
    if xs:
        ax.vlines(
            xs,
            0,
            1,
            transform=ax.get_xaxis_transform(),
            colors=PHASE,
            linestyles="--",
            linewidth=1,
        )


def _phase_labels(ax, phases: list[PhaseInfo], lo: float, hi: float):
    """The phases' names at the top of the axes, never overlapping (phase_label_layout).
    Placed once the figure's layout is final."""
    fig = ax.figure
    box = ax.get_position()
    width_pt = box.width * fig.get_figwidth() * 72
    row_height = (NOTE_SIZE * 1.3 / 72) / (box.height * fig.get_figheight())
    for x, row, text in phase_label_layout(phases, lo, hi, width_pt):
        ax.text(
            x,
            0.985 - row * row_height,
            text,
            transform=ax.get_xaxis_transform(),
            va="top",
            ha="left",
            fontsize=NOTE_SIZE,
            color=INK,
        )


def _data_paths(ax, points: list[Point], *, marker="o"):
    for run in runs(points):
        xs = [_day(p.date) for p in run]
        ys = [p.value for p in run]
        ax.plot(xs, ys, color=DATA, marker=marker, markersize=4, linewidth=1.4)


def _aim_and_trend(ax, data: GraphData, lo: float, hi: float):
    if data.aim is not None:
        a = data.aim
        ax.plot(
            [a.start_day, _day(a.goal_date)],
            [a.start_value, a.goal_value],
            color=AIM,
            linewidth=1.2,
            label=f"Aim line ({a.slope_per_week:+.2f}/week)",
        )
    if data.trend is not None and data.trend_dates:
        x0, x1 = _day(data.trend_dates[0]), _day(data.trend_dates[1])
        ax.plot(
            [x0, x1],
            [data.trend.at(x0), data.trend.at(x1)],
            color=TREND,
            linestyle=(0, (5, 3)),
            linewidth=1.4,
            label=f"Trend (ROI {data.trend_per_week:+.2f}/week)",
        )
    if data.goal_value is not None and data.goal_date is not None:
        ax.plot(
            [_day(data.goal_date)],
            [data.goal_value],
            marker="*",
            markersize=11,
            color=GOAL,
            linestyle="none",
            label=f"Goal {data.goal_value:g} by {data.goal_date:%b %-d, %Y}",
        )


def _target_marks(ax, targets: list[TargetInfo]):
    shown = False
    for t in targets:
        for when, mark, words in (
            (t.introduced_on, "^", "introduced"),
            (t.mastered_on, "D", "mastered"),
        ):
            if when is None:
                continue
            ax.plot(
                [_day(when)],
                [0.02],
                marker=mark,
                markersize=6,
                color=MASTERY,
                linestyle="none",
                transform=ax.get_xaxis_transform(),
                clip_on=False,
                label=None if shown else "Target ▲ in ◆ mastered",
            )
            shown = True
            ax.text(
                _day(when) + 1,
                0.045,
                f"{t.name} {words}",
                transform=ax.get_xaxis_transform(),
                fontsize=SMALL_SIZE,
                color=MASTERY,
                va="bottom",
                ha="left",
            )


def _extent(data: GraphData, points: list[Point]):
    days = [_day(p.date) for p in points] + [_day(ph.starts_on) for ph in data.phases]
    if data.goal_date:
        days.append(_day(data.goal_date))
    if data.aim:
        days.append(data.aim.start_day)
    for t in data.targets:
        days += [_day(d) for d in (t.introduced_on, t.mastered_on) if d]
    if not days:
        today = _day(dt.date.today())
        return today - 7, today + 7
    return min(days) - 2, max(days) + 2


def _finish(fig, ax, data: GraphData, lo, hi, subtitle=""):
    _make_room(fig, ax, 1 + len(_key_layout(fig, ax)))
    _phase_labels(ax, data.phases, lo, hi)
    ax.set_xlim(lo, hi)
    _date_axis(ax, lo, hi)
    ax.set_xlabel("Date", color=INK, fontsize=LABEL_SIZE)
    ax.set_ylabel(_wrap_label(data.unit or "value", ax), color=INK, fontsize=LABEL_SIZE)
    _title(fig, data.title)
    if subtitle:
        fig.text(_left(fig), _line_y(fig, 0), subtitle, fontsize=NOTE_SIZE, color=INK)
    _key(fig, ax)


def _left(fig):
    return fig.subplotpars.left


def _title(fig, title):
    fig.suptitle(
        title,
        x=_left(fig),
        y=1 - 0.1 / fig.get_figheight(),
        ha="left",
        va="top",
        fontsize=TITLE_SIZE,
        color=INK,
    )


def _wrap_label(text: str, ax) -> str:
    """An axis label in as many lines as the axis is long (a long unit such as "words
    correct per minute" would run past a short y axis)."""
    room = ax.get_position().height * ax.figure.get_figheight() * 72
    words, lines = text.split(), [""]
    for word in words:
        candidate = f"{lines[-1]} {word}".strip()
        if lines[-1] and _text_width(candidate, LABEL_SIZE) > room:
            lines.append(word)
        else:
            lines[-1] = candidate
    return "\n".join(lines[:2]) if len(lines) <= 2 else "\n".join([lines[0], " ".join(lines[1:])])


def key_rows(labels, width_pt: float, size=NOTE_SIZE):
    """The key's entries in rows that fit `width_pt`: [[(x offset in points, label)]]."""
    rows, x = [[]], 0.0
    for label in labels:
        text = "■ " + label
        w = _text_width(text, size) + size
        if rows[-1] and x + w > width_pt:
            rows.append([])
            x = 0.0
        rows[-1].append((x, label))
        x += w
    return rows


def _make_room(fig, ax, rows: int):
    """Put the axes' top under the title and `rows` lines of subtitle and key."""
    top = 0.12 + TITLE_SIZE / 72 * 1.35 + rows * NOTE_SIZE / 72 * 1.45 + 0.06
    fig.subplots_adjust(top=1 - top / fig.get_figheight())


def _key_layout(fig, ax):
    """The key's rows (at most two) of (x offset in points, label, colour)."""
    handles, labels = ax.get_legend_handles_labels()
    colors = {}
    for handle, label in zip(handles, labels, strict=True):
        color = handle.get_color() if hasattr(handle, "get_color") else "#93c5fd"
        if not isinstance(color, str):
            color = matplotlib.colors.to_hex(color[0] if len(color) else INK)
        colors[label] = color
    width_pt = (1 - _left(fig) - 0.01) * fig.get_figwidth() * 72
    return [
        [(x, label, colors[label]) for x, label in row]
        for row in key_rows(labels, width_pt)[:2]
        if row
    ]


def _key(fig, ax):
    """The key as coloured words under the title, wrapped to the figure's width (a
    matplotlib legend costs a third of the drawing time)."""
    left = _left(fig)
    for row, entries in enumerate(_key_layout(fig, ax)):
        y = _line_y(fig, row + 1)
        for x, label, color in entries:
            fig.text(
                left + x / 72 / fig.get_figwidth(),
                y,
                "■ " + label,
                fontsize=NOTE_SIZE,
                color=color,
            )


def _line_axes(data: GraphData, per: str):
    points = aggregate(data.points, per, summed=data.summed)
    fig, ax = _figure()
    lo, hi = _extent(data, points)
    _phase_lines(ax, data.phases, lo, hi)
    _data_paths(ax, points)
    for level in data.mastery:
        ax.axhline(level, color=MASTERY, linestyle=":", linewidth=1.2)
        ax.text(
            1.0,
            level,
            f" mastery ≥{level}%",
            transform=ax.get_yaxis_transform(),
            fontsize=NOTE_SIZE,
            color=MASTERY,
            va="bottom",
            ha="right",
        )
    _aim_and_trend(ax, data, lo, hi)
    _target_marks(ax, data.targets)
    values = [p.value for p in points] + [v for v in (data.goal_value,) if v is not None]
    values += list(data.mastery)
    if data.aim:
        values.append(data.aim.start_value)
    top = max(values) if values else 1
    ax.set_ylim(min(0, min(values) if values else 0), top * 1.3 + (1 if top == 0 else 0))
    return fig, ax, lo, hi


PER_WORDS = {"session": "per session", "day": "per day", "week": "per week"}


def line_chart(data: GraphData, *, per="session") -> Figure:
    """The ABA / CBM time-series graph of a goal."""
    fig, ax, lo, hi = _line_axes(data, per)
    _finish(fig, ax, data, lo, hi, subtitle=f"{data.unit}, {PER_WORDS[per]}")
    return fig


def celeration_series(data: GraphData):
    """(date, count, minutes) per session with known observation minutes."""
    out = []
    for p in data.points:
        minutes = data.minutes.get(p.session)
        if not minutes:
            continue
        if data.unit == "per minute":
            count = p.value * minutes
        elif data.unit == "per hour":
            count = p.value * minutes / 60
        else:
            count = p.value
        out.append((p, round(count, 6), minutes))
    return out


def celeration_by_phase(data: GraphData):
    """The engine's celeration and bounce for each phase with 2+ dated points."""
    series = celeration_series(data)
    by_phase = defaultdict(list)
    names = {}
    for p, count, minutes in series:
        by_phase[p.phase_id].append((p.date, count, minutes))
        names[p.phase_id] = p.phase_name or "All data"
    out = []
    for phase_id, rows in by_phase.items():
        try:
            result = progress.celeration(
                [r[0] for r in rows], [r[1] for r in rows], per_minutes=[r[2] for r in rows]
            )
        except AnalysisError as error:
            out.append((phase_id, names[phase_id], rows, None, str(error)))
            continue
        out.append((phase_id, names[phase_id], rows, result, None))
    return out


def celeration_chart(data: GraphData, phases=None) -> Figure:
    """Standard celeration chart: counts per minute on a ×10 log scale (0.001-1000), successive
    calendar days with weekly lines, the celeration line of each phase and its bounce.
    `phases`: celeration_by_phase(data), when the caller has it already."""
    phases = celeration_by_phase(data) if phases is None else phases
    fig, ax = _figure(WIDTH, 4.8, top_rows=min(max(len(phases), 1), 3))
    ax.set_yscale("log")
    ax.set_ylim(0.001, 1000)
    ax.yaxis.set_major_locator(FixedLocator([10.0**k for k in range(-3, 4)]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _p: f"{y:g}"))
    # The ×2…×9 lines of each cycle as one collection of grid lines: matplotlib's log minor
    # ticks are 54 tick artists and took most of the chart's drawing time.
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_minor_formatter(NullFormatter())
    days = [_day(r[0]) for _, _, rows, _, _ in phases for r in rows]
    start = min(days) if days else _day(dt.date.today())
    # Successive calendar days from the first Sunday; at least the chart's 140 days.
    start -= (dt.date.fromordinal(int(start)).weekday() + 1) % 7
    end = max(start + 140, (max(days) if days else start) + 7)
    ax.hlines(
        [m * 10.0**k for k in range(-3, 3) for m in range(2, 10)],
        0,
        1,
        transform=ax.get_yaxis_transform(),
        colors="#f1f5f9",
        linewidth=0.5,
        zorder=0,
    )
    ax.vlines(
        range(int(start), int(end) + 1, 7),
        0,
        1,
        transform=ax.get_xaxis_transform(),
        colors="#e5e7eb",
        linewidth=0.6,
        zorder=0,
    )
    _phase_lines(ax, data.phases, start, end)
    texts = []
    for _phase_id, name, rows, result, problem in phases:
        xs = [_day(r[0]) for r in rows]
        rates = [(r[1] / r[2]) if r[1] > 0 else None for r in rows]
        ax.plot(
            [x for x, r in zip(xs, rates, strict=True) if r],
            [r for r in rates if r],
            linestyle="none",
            marker="o",
            markersize=4,
            color=DATA,
        )
        zeros = [(x, 1 / r[2]) for x, r, rate in zip(xs, rows, rates, strict=True) if not rate]
        if zeros:
            ax.plot(
                [z[0] for z in zeros],
                [z[1] for z in zeros],
                linestyle="none",
                marker="x",
                markersize=5,
                color=DATA,
            )
        # The record floor (counting time): one response in the observation time.
        ax.plot(xs, [1 / r[2] for r in rows], linestyle="none", marker="_", color=PHASE)
        if result is not None:
            x0, x1 = min(xs), max(xs)
            ax.plot(
                [x0, x1],
                [
                    10**result.intercept_log10,
                    10 ** (result.intercept_log10 + result.slope_log10_per_day * (x1 - x0)),
                ],
                color=TREND,
                linewidth=1.6,
            )
            texts.append(
                f"{name}: celeration {result.label} per week, bounce {result.bounce_label}"
            )
        else:
            texts.append(f"{name}: {problem}")
    ax.set_xlim(start, end)
    ax.xaxis.set_major_locator(
        FixedLocator([start + 28 * i for i in range(int((end - start) / 28) + 1)])
    )
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda x, _p: dt.date.fromordinal(int(x)).strftime("%b %-d"))
    )
    ax.set_xlabel("Successive calendar days (lines: weeks)", color=INK, fontsize=LABEL_SIZE)
    ax.set_ylabel("Count per minute", color=INK, fontsize=LABEL_SIZE)
    _phase_labels(ax, data.phases, start, end)
    _title(fig, f"{data.title}: standard celeration chart")
    # One line per phase (the caption under the graph has them all in full).
    for row, text in enumerate((texts or ["No timed sessions yet."])[:3]):
        fig.text(_left(fig), _line_y(fig, row), text, fontsize=NOTE_SIZE, color=INK)
    return fig


SEASONS = {"fall": (8, 1, 11, 30), "winter": (12, 1, 2, 28), "spring": (3, 1, 6, 30)}


def _season_spans(season: str, lo: dt.date, hi: dt.date):
    m0, d0, m1, d1 = SEASONS[season]
    for year in range(lo.year - 1, hi.year + 1):
        start = dt.date(year, m0, d0)
        end = dt.date(year + (1 if m1 < m0 else 0), m1, d1)
        if end >= lo and start <= hi:
            yield max(start, lo), min(end, hi)


def probe_chart(data: GraphData, *, per="session") -> Figure:
    """The CBM probe graph: scores, aim line, trend with its rate of improvement, and the
    organization's norm bands (25th-75th percentile, median line) by season."""
    fig, ax, lo, hi = _line_axes(data, per)
    d_lo, d_hi = dt.date.fromordinal(int(lo)), dt.date.fromordinal(int(hi))
    labelled = False
    top = ax.get_ylim()[1]
    for season, (p25, p50, p75) in data.norms.items():
        for a, b in _season_spans(season, d_lo, d_hi):
            ax.fill_between(
                [_day(a), _day(b)],
                [p25, p25],
                [p75, p75],
                color=BAND,
                zorder=0,
                label=None if labelled else "Norms P25–P75",
            )
            ax.plot([_day(a), _day(b)], [p50, p50], color="#93c5fd", linewidth=1, zorder=0)
            ax.text(_day(a) + 1, p75, f" {season} median {p50:g}", fontsize=SMALL_SIZE, va="bottom")
            labelled = True
            top = max(top, p75 * 1.2)
    ax.set_ylim(ax.get_ylim()[0], top)
    _finish(fig, ax, data, lo, hi, subtitle=f"{data.unit}, {PER_WORDS[per]}")
    if data.norms and data.norms_source:
        fig.text(0.99, 0.01, data.norms_source, fontsize=SMALL_SIZE, ha="right", color=PHASE)
    return fig


# --- output -------------------------------------------------------------------------------

_STYLE_ATTR = re.compile(r'\sstyle="([^"]*)"')
_FONT = re.compile(r"^(?:(italic|oblique)\s+)?(?:(bold|normal|\d{3})\s+)?([\d.]+)px\s+(.+)$")


def _presentation(match: re.Match) -> str:
    """style="a: b; c: d" -> a="b" c="d" (SVG presentation attributes are not styles, so a
    CSP with style-src 'self' lets them through)."""
    return _attributes(match.group(1))


# A 500-point graph repeats one marker style 500 times: each distinct style is converted once.
@functools.lru_cache(maxsize=256)
def _attributes(style: str) -> str:
    out = []
    for decl in style.split(";"):
        if ":" not in decl:
            continue
        name, value = (part.strip() for part in decl.split(":", 1))
        if name == "font":
            found = _FONT.match(value)
            if found:
                style, weight, size, family = found.groups()
                if style:
                    out.append(f'font-style="{style}"')
                if weight:
                    out.append(f'font-weight="{weight}"')
                out.append(f'font-size="{size}px"')
                out.append(f'font-family="{escape(family.replace(chr(39), ""), quote=True)}"')
            continue
        out.append(f'{name}="{escape(value, quote=True)}"')
    return " " + " ".join(out) if out else ""


def to_svg(fig: Figure, *, title: str, desc: str, key: str = "g") -> str:
    """Inline-ready SVG: no XML prolog, no <style>, no style attributes, a <title> and
    <desc> for screen readers, and ids unique to `key`."""
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": key, "svg.id": f"graph-{key}"}):
        fig.savefig(buf, format="svg")
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, count=1, flags=re.S)
    svg = re.sub(r"<defs>\s*<style[^>]*>.*?</style>\s*</defs>", "", svg, count=1, flags=re.S)
    svg = _STYLE_ATTR.sub(_presentation, svg)
    head_end = svg.index(">") + 1
    head = svg[:head_end]
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    head = head.replace(
        "<svg",
        f'<svg role="img" aria-labelledby="graph-{key}-title graph-{key}-desc" '
        'class="graph" stroke-linejoin="round" stroke-linecap="butt"',
        1,
    )
    return (
        head
        + f'<title id="graph-{key}-title">{escape(title)}</title>'
        + f'<desc id="graph-{key}-desc">{escape(desc)}</desc>'
        + svg[head_end:]
    )


def to_bytes(fig: Figure, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "png":
        # zlib's fastest level: about a tenth less CPU per graph than the default (6), for a
        # file about 15% larger.
        fig.savefig(buf, format="png", dpi=150, pil_kwargs={"compress_level": 1})
    else:
        fig.savefig(buf, format=fmt, dpi=100)
    return buf.getvalue()
