"""The statistics behind every `flagged` column of the failure-demand tables (docs/demand.md, section 2).

Pure functions on the few hundred rows the demand queries return (one per product, order day, IVR path or website
trigger): one-sided negative-binomial p-values with the reference's own uncertainty, a robust estimate of how much
comparable rows differ, Benjamini-Hochberg q-values, and the empirical-Bayes prior of the product test.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, stats

OUTLIER_Z = 3.0  # reference rows further out than this (mid-p residual) do not inform the heterogeneity estimate
SUSPECT_Z = 3.0  # rows this far above their expectation (mid-p residual) leave the reference of later passes


def negative_binomial_sf(observed: np.ndarray, mean: np.ndarray, alpha: np.ndarray | float) -> np.ndarray:
    """P(Y >= observed) for Y negative binomial with this mean and variance mean * (1 + alpha * mean); Poisson at 0."""
    observed, mean = np.asarray(observed, float), np.maximum(np.asarray(mean, float), 1e-300)
    alpha = np.broadcast_to(np.asarray(alpha, float), mean.shape)
    poisson = alpha < 1e-9
    size = 1.0 / np.where(poisson, 1.0, alpha)
    return np.where(poisson, stats.poisson.sf(observed - 1, mean),
                    stats.nbinom.sf(observed - 1, size, size / (size + mean)))


def _log_likelihood(observed: np.ndarray, mean: np.ndarray, alpha: np.ndarray) -> float:
    poisson = alpha < 1e-9
    size = 1.0 / np.where(poisson, 1.0, alpha)
    return float(np.where(poisson, stats.poisson.logpmf(observed, mean),
                          stats.nbinom.logpmf(observed, size, size / (size + mean))).sum())


def mid_p_residuals(observed: np.ndarray, mean: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Normal scores of the mid-p value of each count: about standard normal under the model."""
    poisson = alpha < 1e-9
    size = 1.0 / np.where(poisson, 1.0, alpha)
    prob = size / (size + mean)
    below = np.where(poisson, stats.poisson.cdf(observed - 1, mean), stats.nbinom.cdf(observed - 1, size, prob))
    at = np.where(poisson, stats.poisson.pmf(observed, mean), stats.nbinom.pmf(observed, size, prob))
    return stats.norm.ppf(np.clip(below + at / 2, 1e-15, 1 - 1e-15))


def heterogeneity(observed: np.ndarray, expected: np.ndarray, reference: np.ndarray,
                  expected_cv2: np.ndarray | None = None, trim: bool = True) -> float:
    """How much comparable rows' rates vary beyond chance: the alpha of a negative binomial, estimated robustly.

    Each row is a count with mean `expected` and variance expected * (1 + a_i * expected), where
    a_i = alpha + (1 + alpha) * expected_cv2 (the relative uncertainty of the expectation, from the size of its
    reference). alpha is the maximum-likelihood estimate over the reference rows without those whose mid-p residual
    lies beyond OUTLIER_Z, refitted until that set settles (starting from Poisson's), so that real outliers not yet
    flagged cannot inflate it and hide themselves, while rows that are only unusual under Poisson come back in when
    the rows really are heterogeneous. It is kept only when a likelihood-ratio test shows it (5%, one-sided): with
    few rows, chance alone would otherwise give a heterogeneity that costs the test its power. It lets rows back in
    only when the test shows it clearly (1%): a weaker one, which two outliers just inside the cut give, grows with
    each outlier it lets in (ten late order days out of sixty took it from 0.08 to 0.73 and unflagged all ten).
    0 means Poisson;
    fewer than 8 reference rows give 0. `trim=False` fits every row (for rows that are themselves the evidence of
    difference, such as categories).
    """
    cv2 = np.zeros_like(expected, dtype=float) if expected_cv2 is None else np.nan_to_num(np.asarray(expected_cv2, float))
    usable = reference & (np.nan_to_num(expected) > 0) & ~np.isnan(observed)
    y, mean, cv2 = observed[usable], expected[usable], cv2[usable]
    keep = np.abs(mid_p_residuals(y, mean, cv2)) <= OUTLIER_Z if trim else np.ones(len(y), bool)  # start from Poisson's
    shown = 0.0
    for _ in range(10):
        if keep.sum() < 8:
            return 0.0
        fit = optimize.minimize_scalar(
            lambda log_a: -_log_likelihood(y[keep], mean[keep], np.exp(log_a) + (1 + np.exp(log_a)) * cv2[keep]),
            bounds=(-12.0, 4.0), method="bounded")
        alpha = float(np.exp(fit.x))
        gain = _log_likelihood(y[keep], mean[keep], alpha + (1 + alpha) * cv2[keep]) - _log_likelihood(y[keep], mean[keep], cv2[keep])
        # only a heterogeneity the rows show clearly (1%) lets rows back in: a weaker one, which a couple of outliers
        # just inside the cut give, would let the nearest outlier back in, which raises the estimate and lets the
        # next one in, until the outliers have hidden themselves
        shown = alpha if 2 * gain > stats.chi2.ppf(0.90, 1) else 0.0
        clear = alpha if 2 * gain > stats.chi2.ppf(0.98, 1) else 0.0
        settled = np.abs(mid_p_residuals(y, mean, clear + (1 + clear) * cv2)) <= OUTLIER_Z if trim else keep
        if (settled == keep).all():
            break
        keep = settled
    return shown


def excess_p_values(observed: np.ndarray, expected: np.ndarray, alpha: float = 0.0,
                    expected_cv2: np.ndarray | None = None) -> np.ndarray:
    """One-sided p-values of seeing at least `observed` when `expected` is the mean.

    The count is negative binomial with variance expected * (1 + a * expected), a = alpha + (1 + alpha) *
    expected_cv2: alpha for rows that differ beyond chance (heterogeneity), expected_cv2 for the uncertainty of the
    expectation itself (a small reference). Poisson when both are 0. A row without an expectation (NaN: nothing to
    compare with) gets p = 1; a count where none was expected, p = 0.
    """
    cv2 = np.zeros_like(expected, dtype=float) if expected_cv2 is None else np.nan_to_num(np.asarray(expected_cv2, float))
    untestable = np.isnan(expected)
    observed, mean = np.nan_to_num(np.asarray(observed, float)), np.nan_to_num(np.asarray(expected, float))
    p = negative_binomial_sf(observed, mean, alpha + (1 + alpha) * cv2)
    return np.where((observed <= 0) | untestable, 1.0, np.where(mean <= 0, 0.0, p))


def conditional_p_values(observed: np.ndarray, reference: np.ndarray, share: np.ndarray) -> np.ndarray:
    """One-sided p-values that a row has a higher rate than its reference, both counts being Poisson.

    Given the total of both counts, the row's count is binomial with the row's share of the exposure; this
    accounts for the uncertainty of a small reference. NaN shares (no reference) get p = 1.
    """
    untestable = np.isnan(share) | np.isnan(reference)
    observed, reference = np.nan_to_num(observed), np.nan_to_num(reference)
    p = stats.binom.sf(observed - 1, (observed + reference).astype(np.int64), np.nan_to_num(share))
    return np.where((observed <= 0) | untestable, 1.0, p)


def concentration_p_values(observed: np.ndarray, size: np.ndarray, other_observed: np.ndarray,
                           other_size: np.ndarray) -> np.ndarray:
    """One-sided p-values that a group's share (`observed` of `size`) is higher than the others' (`other_observed` of
    `other_size`): Fisher's exact test, the hypergeometric tail of the group's count given both margins. A group
    without others to compare with gets p = 1."""
    observed, size = np.asarray(observed, np.int64), np.asarray(size, np.int64)
    other_observed, other_size = np.asarray(other_observed, np.int64), np.asarray(other_size, np.int64)
    p = stats.hypergeom.sf(observed - 1, size + other_size, observed + other_observed, size)
    return np.where((observed <= 0) | (other_size <= 0), 1.0, np.clip(p, 0.0, 1.0))


def attainable_p_values(size: np.ndarray, total_observed: np.ndarray, other_size: np.ndarray) -> np.ndarray:
    """The smallest p-value `concentration_p_values` can give a group, given the margins: that of the largest count
    the group could have. A row that cannot reach the level tested at cannot be a discovery, and leaving it out of the
    family (Tarone's rule) gives the others their power back: most of a segment's kinds of contact are too rare to
    test."""
    size, total = np.asarray(size, np.int64), np.asarray(total_observed, np.int64)
    other_size = np.asarray(other_size, np.int64)
    most = np.minimum(size, total)
    p = stats.hypergeom.sf(most - 1, size + other_size, total, size)
    return np.where((most <= 0) | (other_size <= 0), 1.0, p)


def tarone_family(attainable: np.ndarray, alpha: float) -> np.ndarray:
    """Which tests make up the family (Tarone's rule, with Gilbert's use of it for false-discovery control): the K
    tests whose smallest attainable p-value is at most alpha / K, for the smallest K at which at most K tests can.
    Tests that could never be discoveries then do not dilute the correction of those that could."""
    attainable = np.asarray(attainable, float)
    ordered = np.sort(attainable)
    for k in range(1, len(attainable) + 1):
        if np.searchsorted(ordered, alpha / k, side="right") <= k:
            return attainable <= alpha / k
    return np.zeros(len(attainable), bool)


def false_discovery_q_values(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values)."""
    return stats.false_discovery_control(p, method="bh") if len(p) else p


MIN_CATEGORIES = 8  # fewer categories cannot tell how much they differ: each then keeps its own rate (min_reference prior)
UNINFORMATIVE = 1e9  # a prior this heavy: the categories do not differ, every product is compared with the catalogue


def category_prior(counts: list[tuple], min_reference: float) -> dict[str, float]:
    """How many journeys (and delivered orders) of the catalogue's rate a category's reference leans on.

    `counts` holds, per category, (journeys, information calls, delivered orders, 'not as described' returns) of the
    products left in the reference. A category's rate is taken to vary around the catalogue's with relative variance
    alpha, estimated from the categories' counts against the rest of the catalogue (`heterogeneity`, every category
    fitted): the empirical-Bayes prior is then a gamma of shape 1/alpha, worth 1/(alpha * rate) journeys. Categories
    no different from each other give an uninformative category (every product against the catalogue); with fewer
    than MIN_CATEGORIES the difference cannot be told, and the prior is `min_reference` journeys.
    """
    prior = {}
    for name, exposure_at, observed_at in (("prior_journeys", 0, 1), ("prior_delivered", 2, 3)):
        n = np.array([c[exposure_at] or 0 for c in counts], float)
        y = np.array([c[observed_at] or 0 for c in counts], float)
        if (n > 0).sum() < MIN_CATEGORIES or y.sum() <= 0:
            prior[name] = float(min_reference)
            continue
        others = (y.sum() - y) / np.maximum(n.sum() - n, 1e-12)
        alpha = heterogeneity(y, n * others, n > 0, trim=False)
        prior[name] = min(1.0 / (alpha * y.sum() / n.sum()), UNINFORMATIVE) if alpha > 0 else UNINFORMATIVE
    return prior


