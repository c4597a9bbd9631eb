"""Johnson's relative weights: pinned on a published example and against a Shapley
decomposition of R² computed here over every subset of predictors."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from cxgov.voc.relative_weights import Collinear, correlations, fit, raw_weights

# mtcars (Henderson & Velleman 1981, as shipped with R): mpg, cyl, disp, hp, wt
MTCARS = [
    (21.0, 6, 160.0, 110, 2.620), (21.0, 6, 160.0, 110, 2.875), (22.8, 4, 108.0, 93, 2.320),
    (21.4, 6, 258.0, 110, 3.215), (18.7, 8, 360.0, 175, 3.440), (18.1, 6, 225.0, 105, 3.460),
    (14.3, 8, 360.0, 245, 3.570), (24.4, 4, 146.7, 62, 3.190), (22.8, 4, 140.8, 95, 3.150),
    (19.2, 6, 167.6, 123, 3.440), (17.8, 6, 167.6, 123, 3.440), (16.4, 8, 275.8, 180, 4.070),
    (17.3, 8, 275.8, 180, 3.730), (15.2, 8, 275.8, 180, 3.780), (10.4, 8, 472.0, 205, 5.250),
    (10.4, 8, 460.0, 215, 5.424), (14.7, 8, 440.0, 230, 5.345), (32.4, 4, 78.7, 66, 2.200),
    (30.4, 4, 75.7, 52, 1.615), (33.9, 4, 71.1, 65, 1.835), (21.5, 4, 120.1, 97, 2.465),
    (15.5, 8, 318.0, 150, 3.520), (15.2, 8, 304.0, 150, 3.435), (13.3, 8, 350.0, 245, 3.840),
    (19.2, 8, 400.0, 175, 3.845), (27.3, 4, 79.0, 66, 1.935), (26.0, 4, 120.3, 91, 2.140),
    (30.4, 4, 95.1, 113, 1.513), (15.8, 8, 351.0, 264, 3.170), (19.7, 6, 145.0, 175, 2.770),
    (15.0, 8, 301.0, 335, 3.570), (21.4, 4, 121.0, 109, 2.780),
]  # fmt: skip


def _mtcars() -> tuple[np.ndarray, np.ndarray]:
    data = np.array(MTCARS, dtype=float)
    return data[:, 1:], data[:, 0]


def test_weights_of_the_published_mtcars_example() -> None:
    # the rwa package's documented output for mpg ~ cyl + disp + hp + wt
    x, y = _mtcars()
    weights = raw_weights(*correlations(x, y))
    assert weights == pytest.approx([0.2096904, 0.1883043, 0.1799590, 0.2706812], abs=1e-6)
    assert weights.sum() == pytest.approx(0.8486, abs=1e-4)  # the regression's R²


def _r_squared(x: np.ndarray, y: np.ndarray, columns: tuple[int, ...]) -> float:
    if not columns:
        return 0.0
    design = np.column_stack([np.ones(len(y)), x[:, list(columns)]])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    residual = y - design @ coef
    return 1.0 - float(residual @ residual) / float(((y - y.mean()) ** 2).sum())


def _shapley(x: np.ndarray, y: np.ndarray) -> list[float]:
    k = x.shape[1]
    found = []
    for j in range(k):
        others = [i for i in range(k) if i != j]
        total = 0.0
        for size in range(k):
            for subset in itertools.combinations(others, size):
                weight = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
                total += weight * (_r_squared(x, y, (*subset, j)) - _r_squared(x, y, subset))
        found.append(total)
    return found


def test_weights_add_up_to_r_squared_and_follow_shapley() -> None:
    rng = np.random.default_rng(3)
    n = 400
    base = rng.standard_normal((n, 4))
    # correlated predictors: the second shares most of the first's variance
    x = np.column_stack([base[:, 0], 0.8 * base[:, 0] + 0.6 * base[:, 1], base[:, 2], base[:, 3]])
    y = 1.0 * x[:, 0] + 0.5 * x[:, 2] + rng.standard_normal(n)
    weights = raw_weights(*correlations(x, y))
    shapley = _shapley(x, y)
    assert weights.sum() == pytest.approx(_r_squared(x, y, (0, 1, 2, 3)), abs=1e-9)
    assert sum(shapley) == pytest.approx(weights.sum(), abs=1e-9)
    # Johnson's weights approximate the Shapley values; the ordering is the same
    assert weights == pytest.approx(shapley, abs=0.02)
    assert list(np.argsort(-weights)) == list(np.argsort(-np.array(shapley)))


def test_uncorrelated_predictors_weigh_their_squared_correlation() -> None:
    # with orthogonal predictors every decomposition gives r²: Johnson's equals Shapley exactly
    x = np.array([[1, 1], [1, -1], [-1, 1], [-1, -1]] * 5, dtype=float)
    y = x @ np.array([2.0, 1.0]) + np.tile([0.5, -0.5, -0.5, 0.5], 5)
    rxx, rxy = correlations(x, y)
    assert raw_weights(rxx, rxy) == pytest.approx(rxy**2)
    assert raw_weights(rxx, rxy) == pytest.approx(_shapley(x, y))


def test_collinear_predictors_have_no_weights() -> None:
    x, y = _mtcars()
    with pytest.raises(Collinear):
        raw_weights(*correlations(np.column_stack([x, 2 * x[:, 0]]), y))


def test_the_bootstrap_is_seeded_and_tells_a_driver_from_noise() -> None:
    rng = np.random.default_rng(5)
    n = 300
    x = rng.standard_normal((n, 3))
    y = 2.0 * x[:, 0] + rng.standard_normal(n)
    first = fit(x, y, seed=11, resamples=300)
    again = fit(x, y, seed=11, resamples=300)
    assert np.array_equal(first.resampled, again.resampled)
    assert first.n == n
    low, high = first.interval(0.95)
    assert low[0] <= first.weights[0] <= high[0]
    excess_low, excess_high = first.excess_interval(0.95)
    assert excess_low[0] > 0  # the planted driver weighs more than a random predictor
    assert excess_low[1] < 0 < excess_high[1] or excess_low[2] < 0 < excess_high[2]
    r2_low, r2_high = first.r_squared_interval(0.95)
    assert r2_low < first.r_squared < r2_high
