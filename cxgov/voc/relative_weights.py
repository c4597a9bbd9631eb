"""Johnson's relative weights (Johnson 2000): how much of a regression's R² each of several
correlated predictors accounts for, with seeded bootstrap intervals.

With the predictors' correlation matrix Rxx = V diag(λ) Vᵀ and their correlations rxy with the
outcome:

    Λ = V diag(√λ) Vᵀ           the correlations of the predictors with their closest
                                 orthogonal counterparts Z (Rxx's symmetric square root)
    β = Λ⁻¹ rxy                  the outcome regressed on Z
    εⱼ = Σₖ Λⱼₖ² βₖ²             predictor j's raw weight; Σ εⱼ = R² = rxyᵀ Rxx⁻¹ rxy

The raw weights are never negative, so an interval of a weight never includes zero: whether a
predictor matters is judged as Tonidandel, LeBreton & Johnson (2009) do, against a random
predictor. A column of seeded normal noise joins the model in every bootstrap resample, and
the interval of εⱼ − ε_noise tells a driver from chance.

numpy does the matrices: an eigen-decomposition and a thousand resamples of a few thousand rows
are out of reach of pure Python within a nightly run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

# the matrices here are a few dozen columns wide: OpenBLAS's threads cost five times what they
# save on them (measured on a 2-core machine); set before numpy loads, unless the user chose
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
from numpy.typing import NDArray

Matrix = NDArray[np.float64]

RESAMPLES = 1000
"""Bootstrap resamples per model."""
_EIGEN_FLOOR = 1e-10
"""Smaller eigenvalues are those of an exactly collinear set of predictors."""


class Collinear(ValueError):
    """The predictors are exactly collinear (or one is constant): no unique weights."""


def correlations(x: Matrix, y: Matrix) -> tuple[Matrix, Matrix]:
    """Rxx (k × k) and rxy (k) of the columns of `x` (n × k) and `y` (n). A constant column
    has no correlation: its row and column are zero (and its diagonal one), so it gets no
    weight."""
    r = _correlation(np.column_stack([x, y]))
    k = x.shape[1]
    return r[:k, :k], r[:k, k]


def _correlation(data: Matrix) -> Matrix:
    # one matrix product of the (centred) data: the resamples' cost is this product
    centred = data - data.mean(axis=0)
    r: Matrix = centred.T @ centred
    spread = np.sqrt(np.diag(r))
    constant = spread <= 1e-12 * max(1.0, float(spread.max()))
    spread[constant] = 1.0
    r /= np.outer(spread, spread)
    r[constant, :] = 0.0
    r[:, constant] = 0.0
    np.fill_diagonal(r, 1.0)
    return r


def raw_weights(rxx: Matrix, rxy: Matrix) -> Matrix:
    """Johnson's raw relative weights εⱼ; they add up to the model's R²."""
    eigenvalues, vectors = np.linalg.eigh(rxx)
    if eigenvalues.min() <= _EIGEN_FLOOR:
        raise Collinear("the predictors are collinear")
    lam = (vectors * np.sqrt(eigenvalues)) @ vectors.T
    beta = np.linalg.solve(lam, rxy)
    weights: Matrix = (lam * lam) @ (beta * beta)
    return weights


@dataclass(frozen=True)
class Fit:
    """The weights of one model and what its bootstrap resamples found."""

    n: int
    r_squared: float
    weights: Matrix
    """Raw weights, one per predictor, in the order of the columns."""
    resampled: Matrix
    """Raw weights per resample (resamples × predictors)."""
    excess: Matrix
    """Per resample: each predictor's weight minus the random predictor's."""
    resampled_r_squared: Matrix

    def interval(self, confidence: float) -> tuple[Matrix, Matrix]:
        """Percentile interval of each weight."""
        return _percentiles(self.resampled, confidence)

    def excess_interval(self, confidence: float) -> tuple[Matrix, Matrix]:
        """Percentile interval of each weight minus the random predictor's."""
        return _percentiles(self.excess, confidence)

    def r_squared_interval(self, confidence: float) -> tuple[float, float]:
        low, high = _percentiles(self.resampled_r_squared[:, None], confidence)
        return float(low[0]), float(high[0])


def _percentiles(samples: Matrix, confidence: float) -> tuple[Matrix, Matrix]:
    tail = (1.0 - confidence) / 2.0
    low = np.quantile(samples, tail, axis=0)
    high = np.quantile(samples, 1.0 - tail, axis=0)
    return low, high


def fit(x: Matrix, y: Matrix, *, seed: int, resamples: int = RESAMPLES) -> Fit:
    """Johnson's weights of the columns of `x` (n × k) for `y`, and `resamples` bootstrap
    resamples of the rows (each row one respondent, so a resample draws respondents, not
    answers). Raises `Collinear` when the full data admit no weights; a resample in which
    the predictors happen to be collinear is drawn again."""
    n, k = x.shape
    rxx, rxy = correlations(x, y)
    weights = raw_weights(rxx, rxy)
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(n)
    data = np.column_stack([x, noise, y])
    resampled = np.empty((resamples, k))
    excess = np.empty((resamples, k))
    r2 = np.empty(resamples)
    done = attempts = 0
    while done < resamples:
        attempts += 1
        if attempts > 4 * resamples:
            raise Collinear("the predictors are collinear in most resamples")
        rows = rng.integers(0, n, n)
        r = _correlation(data[rows])
        rxx, rxy = r[: k + 1, : k + 1], r[: k + 1, k + 1]
        try:
            sampled = raw_weights(rxx, rxy)
            # the model without the random predictor gives the weights and their interval
            plain = raw_weights(rxx[:k, :k], rxy[:k])
        except Collinear:
            continue
        resampled[done] = plain
        excess[done] = sampled[:k] - sampled[k]
        r2[done] = plain.sum()
        done += 1
    return Fit(n, float(weights.sum()), weights, resampled, excess, r2)
