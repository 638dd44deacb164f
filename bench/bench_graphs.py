"""Rendering a 500-point goal graph, against matplotlib drawing the bare 500-point line.

Run from the project root: ``.venv/bin/python bench/bench_graphs.py``. No database: the graph
is drawn from constructed data (two phases, aim line, trend, goal marker, mastery line, target
markers), as `trellis.monitoring.graphs` draws it for a goal page (and, as counts in 10-minute
sessions, the standard celeration chart), and written as CSP-safe
inline SVG (the page's format), PNG and PDF. The baseline is the least matplotlib can do for
the same points in the same run: a Figure with one Axes, `plot(x, y)`, `savefig(svg)`.
Prints wall-clock ms p50/p95 (and CPU ms p50, which a busy machine disturbs less).
"""

import datetime as dt
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trellis.settings_test")

from matplotlib.figure import Figure  # noqa: E402

from trellis.monitoring import graphs, rules  # noqa: E402

POINTS = int(os.environ.get("BENCH_POINTS", "500"))
RUNS = int(os.environ.get("BENCH_RUNS", "40"))


def constructed():
    rng = random.Random(5)
    start = dt.date(2024, 9, 2)
    phases = [
        rules.PhaseInfo(1, "baseline", "Baseline", start),
        rules.PhaseInfo(2, "intervention", "Repeated reading", start + dt.timedelta(days=40)),
    ]
    points = []
    for i in range(POINTS):
        day = start + dt.timedelta(days=int(i * 0.7))
        ph = phases[1] if day >= phases[1].starts_on else phases[0]
        value = 20 + (0.06 * i if ph.id == 2 else 0) + rng.gauss(0, 3)
        points.append(rules.Point(day, value, ph.id, ph.kind, ph.name, session=str(i)))
    target = rules.TargetInfo(
        "t",
        1,
        "Word list A",
        "mastered",
        introduced_on=start + dt.timedelta(days=45),
        mastered_on=start + dt.timedelta(days=160),
    )
    ev = rules.evaluate(
        points=points,
        phases=phases,
        targets=[target],
        goal_value=70.0,
        goal_date=start + dt.timedelta(days=400),
        baseline_value=None,
        settings=rules.Settings(),
        today=points[-1].date,
    )
    return graphs.GraphData(
        "Oral reading fluency",
        "words correct per minute",
        points,
        phases,
        [target],
        aim=ev.aim,
        trend=ev.trend,
        trend_dates=ev.trend_dates,
        trend_per_week=ev.trend_per_week,
        goal_value=70.0,
        goal_date=start + dt.timedelta(days=400),
        mastery=[80],
    )


def measure(fn):
    for _ in range(3):
        fn()
    wall, cpu = [], []
    for _ in range(RUNS):
        w, c = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - w) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    wall.sort()
    return statistics.median(wall), wall[int(0.95 * (len(wall) - 1))], statistics.median(cpu)


def main():
    data = constructed()
    # The same points as counts in 10-minute sessions, for the standard celeration chart.
    timed = constructed()
    timed.minutes = {p.session: 10 for p in timed.points}
    xs = [p.date.toordinal() for p in data.points]
    ys = [p.value for p in data.points]

    def bare():
        fig = Figure(figsize=(7.5, 3.6))
        fig.add_subplot().plot(xs, ys)
        fig.savefig(io.StringIO(), format="svg")

    cases = [
        ("bare matplotlib line (baseline)", bare),
        (
            "goal graph, inline SVG",
            lambda: graphs.to_svg(graphs.line_chart(data), title="t", desc="d"),
        ),
        (
            "goal graph per week, inline SVG",
            lambda: graphs.to_svg(graphs.line_chart(data, per="week"), title="t", desc="d"),
        ),
        (
            "probe graph, inline SVG",
            lambda: graphs.to_svg(graphs.probe_chart(data), title="t", desc="d"),
        ),
        (
            "celeration chart, inline SVG",
            lambda: graphs.to_svg(graphs.celeration_chart(timed), title="t", desc="d"),
        ),
        ("goal graph, PNG", lambda: graphs.to_bytes(graphs.line_chart(data), "png")),
        ("goal graph, PDF", lambda: graphs.to_bytes(graphs.line_chart(data), "pdf")),
    ]
    print(f"{len(data.points)} points, {RUNS} runs each (wall ms p50 / p95, CPU ms p50)")
    base = None
    for name, fn in cases:
        p50, p95, cpu = measure(fn)
        base = base or p50
        print(f"  {name:<34} {p50:7.1f} / {p95:7.1f}   cpu {cpu:6.1f}   x{p50 / base:4.2f}")


if __name__ == "__main__":
    main()
