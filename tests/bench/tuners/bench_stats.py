"""Order statistics and the Mann-Whitney U test, as bench-util.c computes them."""

import math


def quantile(values, q):
    """Linear interpolation between order statistics (type 7, as NumPy)."""
    if not values:
        return math.nan
    s = sorted(values)
    h = (len(s) - 1) * q
    lo = int(math.floor(h))
    if lo + 1 >= len(s):
        return s[-1]
    return s[lo] + (h - lo) * (s[lo + 1] - s[lo])


def median(values):
    return quantile(values, 0.5)


def mann_whitney(a, b):
    """Two-sided Mann-Whitney U test of a against b.

    Average ranks for ties, normal approximation of U with the tie
    correction of its variance and a continuity correction of 1/2 (as
    scipy.stats.mannwhitneyu(method="asymptotic")).

    Returns (p, direction): direction is -1 when a tends to be smaller than
    b, +1 when larger, 0 when the samples cannot be told apart at all.
    """
    na, nb = len(a), len(b)
    if na == 0 or nb == 0:
        return 1.0, 0
    allv = sorted([(v, 0) for v in a] + [(v, 1) for v in b], key=lambda t: t[0])
    n = na + nb
    rank_sum_a = 0.0
    ties = 0.0
    i = 0
    while i < n:
        j = i
        while j + 1 < n and allv[j + 1][0] == allv[i][0]:
            j += 1
        rank = (i + j) / 2.0 + 1.0
        for k in range(i, j + 1):
            if allv[k][1] == 0:
                rank_sum_a += rank
        t = j - i + 1
        ties += t * t * t - t
        i = j + 1
    u = rank_sum_a - na * (na + 1) / 2.0
    mu = na * nb / 2.0
    var = na * nb / 12.0 * ((n + 1) - ties / (n * (n - 1)))
    if var <= 0.0:
        return 1.0, 0
    z = max(abs(u - mu) - 0.5, 0.0) / math.sqrt(var)
    p = min(math.erfc(z / math.sqrt(2.0)), 1.0)
    direction = -1 if u < mu else (1 if u > mu else 0)
    return p, direction
