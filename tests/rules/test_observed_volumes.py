"""CXG210 with observed volumes: the answers per period a caller read from the store count when
they exceed min_sample, and the message says which volume it judged."""

from __future__ import annotations

from pathlib import Path

from cxgov.validation import validate_paths
from tests.rules.cases import Case, build

# CSAT 80 % failing at 75 % needs 155 answers a period (464 over three)
CSAT = """\
measurement_points:
  - {id: mp-checkout-csat, kpi: csat, journey: order, touchpoint: checkout, method: transactional_survey, source: survey}
objectives:
  - id: o-checkout-csat
    name: Checkout CSAT
    measurement_point: mp-checkout-csat
    targets:
      - {effective_from: 2025-01-01, target: 80, warn: 78, fail: 75}
"""


def _warnings(tmp_path: Path, volumes: dict[str, int] | None) -> list[str]:
    program = build(Case("CXG210", "observed", {"extra.yaml": CSAT}, ()), tmp_path)
    asked: list[str] = []

    def observed(program_id: str) -> dict[str, int]:
        asked.append(program_id)
        return volumes or {}

    result = validate_paths([str(program)], volumes=None if volumes is None else observed)
    assert asked == ([] if volumes is None else ["base"])
    return [f"{d.line}: {d.message} ({d.hint})" for d in result.diagnostics if d.code == "CXG210"]


def test_without_data_min_sample_is_the_volume(tmp_path: Path) -> None:
    # 2.486475·43.30/√90 = 11.35 and 2.486475·43.30/√30 = 19.66 (the SD at 75 %)
    assert _warnings(tmp_path, None) == [
        "4: objective 'o-checkout-csat' cannot tell its target 80 from its fail level 75 within "
        "3 months at error rate 0.05: that takes 155 answers per month, and it counts on 30 "
        "(min_sample of measurement point 'mp-checkout-csat') (at 30 answers per month only a "
        "shortfall of 11.3 points or more shows within 3 months (19.7 points in one); collect 155 "
        "answers per month and raise min_sample to match, or set the fail threshold further "
        "from the target)"
    ]


def test_a_volume_that_suffices_silences_the_warning(tmp_path: Path) -> None:
    assert _warnings(tmp_path, {"o-checkout-csat": 155}) == []


def test_an_observed_volume_too_small_is_named(tmp_path: Path) -> None:
    [message] = _warnings(tmp_path, {"o-checkout-csat": 120})
    assert "it counts on 120 (answered per month on average in the last 3 complete" in message
    assert "min_sample 30)" in message


def test_an_observed_volume_below_min_sample_is_named_beside_it(tmp_path: Path) -> None:
    [message] = _warnings(tmp_path, {"o-checkout-csat": 12, "o-unrelated": 5000})
    assert (
        "it counts on 30 (min_sample of measurement point 'mp-checkout-csat'; 12 answered"
        in message
    )
