"""Property tests (hypothesis): symmetries and bounds."""

from hypothesis import given
from hypothesis import strategies as st

from trellis.analysis import effect_sizes as es
from trellis.analysis import ioa

values = st.lists(st.integers(min_value=0, max_value=20), min_size=2, max_size=25)


def brute_nap(a, b):
    return sum((y > x) + 0.5 * (y == x) for x in a for y in b) / (len(a) * len(b))


@given(values, values)
def test_nap_swapped_phases_and_direction(a, b):
    r = es.nap(a, b)
    assert r.estimate == es.nap(b, a, increase=False).estimate
    assert abs(es.nap(a, b, increase=False).estimate - (1 - r.estimate)) < 1e-12
    assert 0 <= r.ci_low <= r.estimate <= r.ci_high <= 1
    assert abs(r.estimate - brute_nap(a, b)) < 1e-12


@given(values, values)
def test_bounds_and_identities(a, b):
    for fn in (es.pnd, es.pem, es.pand):
        assert 0 <= fn(a, b).estimate <= 1
    assert -1 <= es.tau(a, b).estimate <= 1
    assert abs(es.tau(a, b).estimate - es.tau_u(a, b, baseline_trend=False).estimate) < 1e-12
    table = es.tau_u_table(a, b)
    assert abs(table["A vs. B - Trend A"].tau - es.tau_u(a, b).estimate) < 1e-12
    # Parker's pair counts for the rows subtracting Trend A are not the compared pairs
    for key in ("A vs. B", "Trend A", "Trend B", "A vs. B + Trend B"):
        row = table[key]
        assert row.pos + row.neg + row.ties == row.pairs


@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=40))
def test_ioa_identical_records_is_100(counts):
    assert ioa.total_count(counts, counts) == 100
    assert ioa.mean_count_per_interval(counts, counts) == 100
    assert ioa.exact_count_per_interval(counts, counts) == 100
    assert ioa.mean_duration_per_occurrence(counts, counts) == 100
    marks = [c % 2 for c in counts]
    assert ioa.interval_by_interval(marks, marks) == 100


@given(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 9)), min_size=1, max_size=30))
def test_ioa_symmetric_and_bounded(pairs):
    c1, c2 = [p[0] for p in pairs], [p[1] for p in pairs]
    for fn in (ioa.total_count, ioa.mean_count_per_interval, ioa.exact_count_per_interval):
        v = fn(c1, c2)
        assert 0 <= v <= 100 and v == fn(c2, c1)
