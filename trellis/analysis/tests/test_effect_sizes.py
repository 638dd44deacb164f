"""Effect sizes against published numbers (each test names its source)."""

import math

import numpy as np
import pytest

from trellis.analysis import AnalysisError
from trellis.analysis import effect_sizes as es
from trellis.analysis.tests.data import (
    MCKISSICK,
    SCHMIDT2007,
    SCHMIDT2007_PUBLISHED,
    VIGNETTE_A,
    VIGNETTE_B,
)

A, B = VIGNETTE_A, VIGNETTE_B


def close(result, est, se=None, lo=None, hi=None, tol=5e-7):
    assert result.estimate == pytest.approx(est, abs=tol)
    for got, want in ((result.se, se), (result.ci_low, lo), (result.ci_high, hi)):
        if want is not None:
            assert got == pytest.approx(want, abs=tol)


# SingleCaseES vignette "Basic effect sizes calculations using SingleCaseES" (v0.7.0)
def test_nap_vignette_all_se_methods_and_levels():
    close(es.nap(A, B), 0.9166667, 0.06900656, 0.5973406, 0.9860176)
    close(es.nap(A, B, se_method="hanley"), 0.9166667, 0.07739185, 0.5973406, 0.9860176)
    close(es.nap(A, B, se_method="null"), 0.9166667, 0.1666667, 0.5973406, 0.9860176)
    close(es.nap(A, B, confidence=0.99), 0.9166667, 0.06900656, 0.4875014, 0.9907377)
    close(es.nap(A, B, confidence=0.90), 0.9166667, 0.06900656, 0.6591091, 0.9822249)
    close(es.nap(A, B, increase=False), 0.08333333, 0.06900656, 0.01398242, 0.4026594)


def test_non_overlap_family_vignette():
    # SingleCaseES vignette, calc_ES(A, B, ES = "NOM") and improvement = "decrease"
    close(es.tau(A, B), 0.8333333, 0.1380131, 0.1946812, 0.9720352)
    close(es.tau_bc(A, B), 0.2857143, 0.3595159, -0.3260702, 0.7180613)
    close(es.tau_bc(A, B, increase=False), -0.2857143, 0.3595159, -0.7180613, 0.3260702)
    close(es.pnd(A, B), 0.7142857)
    close(es.pem(A, B), 1.0)
    close(es.pand(A, B), 0.8461538)
    close(es.ird(A, B), 0.6904762)
    close(es.tau_u(A, B), 0.7380952)
    close(es.ird(A, B, increase=False), 0.07142857)
    close(es.pand(A, B, increase=False), 0.53846154)
    close(es.tau_u(A, B, increase=False), -0.73809524)


def test_nap_of_one_is_interval_one_one():
    # SingleCaseES vignette: NAP(A vs C) = 1, SE 0.06346478 (truncated NAP), CI [1, 1]
    outcome = [20, 20, 26, 25, 22, 23, 28, 25, 24, 27, 30, 30, 29]
    close(es.nap(outcome[:5], outcome[10:]), 1.0, 0.06346478, 1.0, 1.0)


def test_parker_vannest_davis_2011_worked_examples():
    # SingleCaseES tests/testthat/test-parker-vannest-davis-2011.R
    assert es.pnd(A, B).estimate == pytest.approx(5 / 7)
    assert es.pand(A, B).estimate == pytest.approx(1 - 2 / 13)
    assert es.pem(A, B).estimate == pytest.approx(7 / 7)
    assert es.ird(A, B).estimate == pytest.approx(6 / 7 - 1 / 6)
    assert es.nap(A, B).estimate == pytest.approx(38.5 / 42)
    assert es.tau(A, B).estimate == pytest.approx((38 - 3) / 42)
    assert es.tau([3, 3, 4, 5], [4, 5, 6, 7, 7]).estimate == pytest.approx(16 / 20)
    assert es.tau_u([3, 3, 4, 5], [4, 5, 6, 7, 7]).estimate == pytest.approx(11 / 20)


def test_parker_vannest_2009_nap_example():
    # Parker & Vannest (2009) example, as in the SingleCaseES NAP() documentation:
    # 110 pairs, 104 improving and 4 ties -> NAP = (104 + 4 / 2) / 110 = .96
    ya = [4, 3, 4, 3, 4, 7, 5, 2, 3, 2]
    yb = [5, 9, 7, 9, 7, 5, 9, 11, 11, 10, 9]
    above = sum(b > a for a in ya for b in yb)
    ties = sum(b == a for a in ya for b in yb)
    assert (above, ties) == (104, 4)
    assert es.nap(ya, yb).estimate == pytest.approx((104 + 2) / 110)
    assert round(es.nap(ya, yb).estimate, 2) == 0.96


def test_tau_u_table_parker_2011_bob():
    # Parker, Vannest, Davis & Sauber (2011) as replicated in scan's tau_u() example
    # ("bob": A = 2, 3, 5, 3; B = 4, 5, 5, 7, 6; method = "parker", tau_method = "a");
    # counts verified by hand.
    t = es.tau_u_table([2, 3, 5, 3], [4, 5, 5, 7, 6])
    want = {
        "A vs. B": (20, 17, 1, 2, 16, 0.8),
        "Trend A": (6, 4, 1, 1, 3, 0.5),
        "Trend B": (10, 8, 1, 1, 7, 0.7),
        "A vs. B - Trend A": (20, 18, 5, 3, 13, 0.65),
        "A vs. B + Trend B": (30, 25, 2, 3, 23, 23 / 30),
        "A vs. B + Trend B - Trend A": (36, 26, 6, 4, 20, 20 / 36),
    }
    assert list(t) == list(want)
    for key, (pairs, pos, neg, ties, s, tau) in want.items():
        row = t[key]
        assert (row.pairs, row.pos, row.neg, row.ties, row.S, row.D) == (
            pairs,
            pos,
            neg,
            ties,
            s,
            pairs,
        )
        assert row.tau == pytest.approx(tau)
    assert t["A vs. B - Trend A"].tau == pytest.approx(
        es.tau_u([2, 3, 5, 3], [4, 5, 5, 7, 6]).estimate
    )


def test_tarlow_2017_perfect_trend():
    # SingleCaseES tests/testthat/test-tarlow-2017.R
    a, b = [1, 2, 3, 4, 5], [6, 7, 8, 9, 10]
    assert es.tau(a, b).estimate == 1
    assert es.tau_u(a, b).estimate == pytest.approx(0.6)
    assert es.tau_bc(a, b).estimate == 0
    assert es.tau_bc(a, b, kendall=True).estimate == 0


def test_tau_bc_direction_symmetry_and_pretest():
    # SingleCaseES test-tarlow-2017.R: increase/decrease mirror each other; a
    # non-significant baseline trend leaves Tau uncorrected (pretest_trend = .05)
    a, b = [1, 1, 3, 3, 5, 5], [5, 6, 4, 8, 9]
    up, down = es.tau_bc(a, b), es.tau_bc(a, b, increase=False)
    assert up.estimate == pytest.approx(-down.estimate)
    assert up.ci_low == pytest.approx(-down.ci_high)
    k_up, k_down = es.tau_bc(a, b, kendall=True), es.tau_bc(a, b, kendall=True, increase=False)
    assert k_up.estimate == pytest.approx(-k_down.estimate) and k_up.se == k_down.se
    flat = es.tau_bc(A, B, pretest_trend=0.05)
    assert flat.details["adjusted"] is False
    assert flat.estimate == pytest.approx(es.tau(A, B).estimate)
    assert es.tau_bc(a, b, pretest_trend=0.05).details["pval_slope_A"] < 0.05


def test_tau_bc_kendall_matches_tau_b_of_corrected_data():
    # Tarlow (2017): Kendall's tau-b of the Theil-Sen corrected series against phase
    from scipy import stats

    a = [33, 25, 17, 25, 19, 21, 19, 14, 19, 17]
    b = [14, 15, 15, 9, 12, 7, 10, 6, 5, 2, 2, 3, 5, 4]
    r = es.tau_bc(a, b, kendall=True)
    s, i = r.details["slope"], r.details["intercept"]
    ya = np.array(a) - i - s * np.arange(1, 11)
    yb = np.array(b) - i - s * np.arange(11, 25)
    want = stats.kendalltau(np.r_[ya, yb], np.r_[np.zeros(10), np.ones(14)]).statistic
    assert r.estimate == pytest.approx(want)
    assert r.se == pytest.approx(math.sqrt(2 / 24 * (1 - want**2)))


def test_smd_vignette():
    # SingleCaseES vignette, SMD() with baseline and pooled SD
    r = es.smd(A, B)
    close(r, 1.649932, 0.6340935, 0.4071314, 2.892732)
    assert r.sd == pytest.approx(2.503331, abs=5e-7)
    close(es.smd(A, B, increase=False), -1.649932, 0.6340935, -2.892732, -0.4071314)
    pooled = es.smd(A, B, std_dev="pool")
    close(pooled, 1.876247, 0.6374216, 0.6269241, 3.125571)
    assert pooled.sd == pytest.approx(2.431752, abs=5e-7)


def test_lrr_vignette():
    # SingleCaseES vignette, section "Further options for log response ratios"
    close(es.lrri(A, B, scale="percentage"), 0.1953962, 0.05557723, 0.08646679, 0.3043255)
    close(
        es.lrri(A, B, increase=False, scale="percentage"),
        -0.06553504,
        0.01810144,
        -0.1010132,
        -0.03005687,
    )
    close(es.lrri(A, B, scale="count"), 0.1953962, 0.05557723, 0.08646679, 0.3043255)
    close(es.lrri(A, B, increase=False), -0.1953962, 0.05557723, -0.3043255, -0.08646679)
    # calc_ES(A, B) (improvement = "increase") lists LRRd -0.1953962; LRRd's own default
    # improvement is "decrease", which gives +0.1953962
    close(es.lrrd(A, B, increase=True), -0.1953962, 0.05557723, -0.3043255, -0.08646679)
    close(es.lrrd(A, B), 0.1953962, 0.05557723, 0.08646679, 0.3043255)
    zeros = [0, 0, 0, 0]
    assert es.lrrd(zeros, B, scale="rate").undefined
    close(
        es.lrrd(zeros, B, scale="rate", observation_length=30),
        8.672947,
        0.5010548,
        7.690897,
        9.654996,
    )
    assert es.lrrd(zeros, B, scale="percentage").undefined
    close(
        es.lrrd(zeros, B, scale="percentage", intervals=180),
        5.859536,
        0.5010548,
        4.877487,
        6.841586,
    )


def test_lrrd_mckissick_pustejovsky_2018():
    # SingleCaseES tests/testthat/test-Pustejovsky-2018-LRR.R (McKissick et al., 2010):
    # R1 = log(M_B) - log(M_A); R2 adds s^2 / (2 n M^2) per phase; SE = sqrt(V_A + V_B)
    for a, b in MCKISSICK.values():
        a, b = np.array(a), np.array(b)
        ma, mb = a.mean(), b.mean()
        va, vb = a.var(ddof=1), b.var(ddof=1)
        r1 = math.log(mb) - math.log(ma)
        r2 = r1 + vb / (2 * b.size * mb**2) - va / (2 * a.size * ma**2)
        se = math.sqrt(va / (a.size * ma**2) + vb / (b.size * mb**2))
        plain = es.lrrd(a, b, scale="count", observation_length=20, bias_correct=False)
        corrected = es.lrrd(a, b, scale="count", observation_length=20)
        assert plain.estimate == pytest.approx(r1)
        assert corrected.estimate == pytest.approx(r2)
        assert plain.se == pytest.approx(se) and corrected.se == pytest.approx(se)


def test_mckissick_nap_pnd_vignette():
    # SingleCaseES vignette, batch_calc_ES(McKissick, improvement = "decrease",
    # ES = c("NAP", "PND"))
    want = {
        "Period 1": ((1.0, 0.0440101, 1.0, 1.0), 1.0),
        "Period 2": ((0.7714286, 0.1538619, 0.4305321, 0.9322444), 0.4285714),
        "Period 3": ((0.9166667, 0.0833333, 0.5676324, 0.9874545), 0.75),
    }
    for case, ((est, se, lo, hi), p) in want.items():
        a, b = MCKISSICK[case]
        close(es.nap(a, b, increase=False), est, se, lo, hi)
        close(es.pnd(a, b, increase=False), p)


@pytest.mark.parametrize("key", list(SCHMIDT2007))
def test_schmidt_2007_nap_lrri_vignette(key):
    # SingleCaseES vignette, batch_calc_ES(Schmidt2007, ES = c("NAP", "LRRi")), default
    # scale "other" (no truncation), 3 decimals as printed
    a, b, increase = SCHMIDT2007[key]
    nap_want, lrr_want = SCHMIDT2007_PUBLISHED[key]
    close(es.nap(a, b, increase=increase), *nap_want, tol=5e-4)
    close(es.lrri(a, b, increase=increase, scale="other"), *lrr_want, tol=5e-4)


def test_lor_vignette():
    # SingleCaseES vignette, section "Further options for LOR()"
    a, b = [20, 20, 25, 25, 20, 25], [30, 25, 25, 25, 35, 30, 25]
    close(es.lor(a, b), 0.2852854, 0.09790282, 0.09339935, 0.4771713)
    close(
        es.lor(np.divide(a, 100), np.divide(b, 100), scale="proportion"),
        0.2852854,
        0.09790282,
        0.09339935,
        0.4771713,
    )
    close(es.lor(a, b, increase=False), -0.2852854, 0.09790282, -0.4771713, -0.09339935)
    assert es.lor(a, b, scale="count").undefined
    with pytest.raises(AnalysisError, match="between 0 and 1"):
        es.lor(a, b, scale="proportion")
    assert es.lor([0, 0, 0], b).undefined
    close(es.lor([0, 0, 0], b, intervals=20), 3.60657, 0.676328, 2.280992, 4.932149)


def test_lrm_by_hand():
    # Bonett & Price (2020) as coded in SingleCaseES stats_LRM: medians 22.5 and 28;
    # n = 6: o1 = round(3 - 2.449) = 1; n = 7: o1 = round(3.5 - 2.646) = 1
    from scipy import stats

    r = es.lrm(A, B)
    assert r.estimate == pytest.approx(math.log(28 / 22.5))

    def var(x):
        n, y = len(x), sorted(x)
        z0 = stats.norm.ppf(1 - stats.binom.cdf(0, n, 0.5))
        return ((math.log(y[-1]) - math.log(y[0])) / (2 * z0)) ** 2

    assert r.se == pytest.approx(math.sqrt(var(A) + var(B)))
    assert es.lrm(A, B, increase=False).estimate == pytest.approx(-r.estimate)
    assert es.lrm([0, 0, 1], B).undefined


def test_pogo_singlecasees():
    # SingleCaseES tests/testthat/test-PoGO.R: 100 (mean B - mean A) / (goal - mean A), and
    # the direction does not change it
    r = es.pogo(A, B, goal=25)
    assert r.estimate == pytest.approx(100 * (np.mean(B) - np.mean(A)) / (25 - np.mean(A)))
    assert es.pogo(A, B, goal=25, increase=False) == r
    assert es.pogo([25, 25], B, goal=25).undefined


def test_pct_change():
    # SingleCaseES LRR(pct_change = TRUE): 100 * (exp(LRR) - 1) for estimate and interval
    r = es.lrri(A, B)
    pc = r.pct_change()
    assert pc.estimate == pytest.approx(100 * (math.exp(0.1953962) - 1), abs=1e-4)
    assert pc.ci_low == pytest.approx(100 * (math.exp(0.08646679) - 1), abs=1e-4)
    assert pc.ci_high == pytest.approx(100 * (math.exp(0.3043255) - 1), abs=1e-4)
    with pytest.raises(AnalysisError):
        es.nap(A, B).pct_change()
    with pytest.raises(AnalysisError):
        es.lrrd([0, 0], B, scale="rate").pct_change()


# ----------------------------------------------------------------------- edge cases


def test_one_point_phases():
    # SingleCaseES tests/testthat/test-short-phase-behavior.R: with one point in a phase
    # NAP = PEM = PND, Tau = Tau-U, the unbiased SE is not finite, ratio measures need 2+
    a1, b3 = [40.0], [20.0, 13.3, 6.25]
    nap = es.nap(a1, b3, increase=False)
    assert nap.estimate == es.pem(a1, b3, increase=False).estimate
    assert nap.estimate == es.pnd(a1, b3, increase=False).estimate
    assert nap.se is None and nap.reason
    assert es.tau(a1, b3).estimate == es.tau_u(a1, b3).estimate
    assert es.nap(a1, b3, se_method="hanley").se is not None
    assert es.lrri(a1, [10.0], scale="percentage").undefined
    assert es.smd(a1, b3).undefined
    assert es.tau_bc(a1, b3).undefined
    assert es.lrri(a1, b3, bias_correct=False).se is None


def test_all_equal_and_all_zero_baselines():
    # No variation: SingleCaseES warns "There is no variation in the outcome!"
    r = es.smd([5, 5, 5], [6, 7, 8])
    assert r.undefined and "no variation" in r.reason
    # all-zero count baseline is truncated at 1 / (2 n) (Pustejovsky, 2018)
    z = es.lrri([0, 0, 0, 0], [2, 3, 4, 3])
    assert z.details["D_const"] == 1 and not z.undefined
    # ties everywhere: NAP 0.5, Tau 0
    assert es.nap([3, 3], [3, 3]).estimate == 0.5
    assert es.tau([3, 3], [3, 3]).estimate == 0


@pytest.mark.parametrize(
    "bad",
    [([], [1, 2]), ([1, 2], []), ([1, float("nan")], [1, 2]), ([1, 2], [1, float("inf")])],
)
def test_bad_input_raises_with_words(bad):
    a, b = bad
    for fn in (es.nap, es.tau_u, es.pnd, es.smd, es.lrri):
        with pytest.raises(AnalysisError, match=r"phase|value"):
            fn(a, b)


def test_invalid_options():
    with pytest.raises(AnalysisError):
        es.nap(A, B, se_method="jackknife")
    with pytest.raises(AnalysisError):
        es.nap(A, B, confidence=1.5)
    with pytest.raises(AnalysisError):
        es.smd(A, B, std_dev="median")
    with pytest.raises(AnalysisError):
        es.lrri(A, B, scale="furlongs")
    with pytest.raises(AnalysisError, match="negative"):
        es.lrri([-1, 2], B)
    with pytest.raises(AnalysisError):
        es.pogo(A, B, goal=None)
