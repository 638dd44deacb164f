"""Published data sets used by the SingleCaseES documentation and tests.

McKissick, Hawkins, Lentz, Hailley & McGuire (2010): disruptive behavior counts (20-minute
sessions) in three class periods; SingleCaseES ``data(McKissick)`` /
``tests/testdata/McKissick.csv``.

Schmidt (2007): ABAB designs, disruptive behavior counts and on-task percentages (MTS);
SingleCaseES ``data(Schmidt2007)`` / ``auxiliary/Schmidt2007.csv`` (series used below).
"""

# Example series of the SingleCaseES vignette "Basic effect sizes calculations using
# SingleCaseES" and of its function reference pages.
VIGNETTE_A = [20, 20, 26, 25, 22, 23]
VIGNETTE_B = [28, 25, 24, 27, 30, 30, 29]

MCKISSICK = {
    "Period 1": ([13.62, 12.57, 15.76], [5.97, 4.63, 5.82, 3.72, 8.07, 2.95, 11.86]),
    "Period 2": (
        [8.07, 21.86, 19.6, 20.98, 17.75],
        [9.96, 4.02, 10.8, 9.57, 0.04, 5.57, 24.52],
    ),
    "Period 3": (
        [11.82, 13.95, 11.93, 16.09, 18.09, 11.75, 13.75, 12.59, 11],
        [1.98, 4.8, 11.87, 5.34],
    ),
}

# (case, behavior, phase pair) -> (A, B, improvement is an increase)
SCHMIDT2007 = {
    ("Faith", "Disruptive Behavior", 1): (
        [
            22.94446345,
            22.43129205,
            27.78538032,
            16.92895427,
            21.83829399,
            3.780362641,
            18.13775801,
            11.77443266,
            22.08347588,
        ],
        [
            4.98694517,
            10.00652742,
            4.647519582,
            0.646214099,
            1.148825065,
            1.671018277,
            3.524804178,
            2.219321149,
        ],
        False,
    ),
    ("Faith", "Disruptive Behavior", 2): (
        [15.43362832, 31.22123894, 14.2300885],
        [1.368397342, 1.869579908, 4.623268386, 6.920824417, 4.724631152],
        False,
    ),
    ("Albert", "Disruptive Behavior", 2): (
        [5.855855856, 23.42342342, 20.72072072],
        [2.702702703, 1.351351351, 7.657657658, 1.351351351, 18.46846847, 5.855855856],
        False,
    ),
    ("Faith", "On Task Behavior", 1): (
        [
            46.21848739,
            30.25210084,
            93.27731092,
            96.63865546,
            50.42016807,
            99.15966387,
            86.55462185,
            54.62184874,
            52.10084034,
        ],
        [
            96.63865546,
            83.19327731,
            96.63865546,
            96.63865546,
            96.63865546,
            92.43697479,
            94.95798319,
            96.63865546,
        ],
        True,
    ),
    ("Lilly", "On Task Behavior", 2): (
        [25.22522523, 96.3963964, 3.603603604],
        [95.53571429, 97.32142857, 96.42857143, 91.96428571, 97.32142857],
        True,
    ),
}

# SingleCaseES vignette, batch_calc_ES(Schmidt2007, ES = c("NAP", "LRRi")) with the
# default scale "other" (no truncation): (NAP est, se, lo, hi), (LRRi est, se, lo, hi),
# printed to 3 decimals.
SCHMIDT2007_PUBLISHED = {
    ("Faith", "Disruptive Behavior", 1): (
        (0.958, 0.042, 0.704, 0.995),
        (1.606, 0.324, 0.972, 2.241),
    ),
    ("Faith", "Disruptive Behavior", 2): (
        (1.000, 0.063, 1.000, 1.000),
        (1.651, 0.376, 0.914, 2.388),
    ),
    ("Albert", "Disruptive Behavior", 2): (
        (0.861, 0.144, 0.443, 0.977),
        (0.947, 0.538, -0.108, 2.001),
    ),
    ("Faith", "On Task Behavior", 1): ((0.771, 0.127, 0.488, 0.916), (0.323, 0.129, 0.069, 0.576)),
    ("Lilly", "On Task Behavior", 2): ((0.867, 0.133, 0.433, 0.980), (0.604, 0.672, -0.712, 1.921)),
}
