"""How a review reads: objectives counted rather than thresholds, items named with their ids,
defaults shown, and the text and the pull-request comment in the program's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cxgov.review import diff_programs
from cxgov.review.backtest import ActionFlip, Backtest, Flip
from cxgov.review.compare import ProgramDiff
from cxgov.review.render import backtest_markdown, backtest_text, markdown, text
from tests.review.programs import item, program_data
from tests.review.test_semantic import as_program

Data = dict[str, dict[str, Any]]


def objective(data: Data, ident: str) -> dict[str, Any]:
    return item(data, "objectives.yaml", "objectives", ident)


def lowered_everything(data: Data) -> None:
    """Target, warn and fail of two objectives lowered: six thresholds, two objectives."""
    objective(data, "o-checkout")["targets"][0].update(target=75, warn=65, fail=55)
    objective(data, "o-delivery")["targets"][0].update(target=70, warn=60, fail=50)


def review(edit: Any, language: str = "en") -> list[ProgramDiff]:
    old, new = program_data(), program_data()
    for data in (old, new):
        data["program.yaml"]["program"]["language"] = language
    edit(new)
    changes = diff_programs(as_program(old), as_program(new))
    return [ProgramDiff("shop", changes, language, "Web shop")]


def test_six_loosened_thresholds_are_two_objectives_loosened() -> None:
    def edit(d: Data) -> None:
        lowered_everything(d)
        objective(d, "o-complaints")["targets"][0]["target"] = 4  # lower is better: tightened
        item(d, "program.yaml", "owners", "ops")["escalates_to"] = "ceo"

    diffs = review(edit)
    assert len(diffs[0].changes) == 8
    lines = text(diffs, "main", "head").splitlines()
    assert lines[2] == "Web shop (shop): 2 objectives loosened, 1 tightened; 1 other change"
    assert lines[-1] == (
        "2 objectives loosened or removed: they need the approval of the program's CX owner "
        "and sponsor."
    )
    assert "**2 objectives loosened or removed**" in markdown(diffs, "main", "head")


def test_items_are_named_with_their_ids_and_defaults_are_shown() -> None:
    def edit(d: Data) -> None:
        item(d, "measures.yaml", "measurement_points", "mp-checkout")["min_sample"] = 10
        objective(d, "o-checkout")["confidence"] = 0.9

    output = text(review(edit), "main", "head")
    assert " tightened    measurement point mp-checkout min_sample: 30 (default) → 10" in output
    assert "(affects Checkout (o-checkout))" in output
    assert (
        " changed      objective Checkout (o-checkout) confidence: 0.95 (default) → 0.9" in output
    )
    assert "(sets only the intervals shown, not the verdicts)" in output


def test_a_finnish_program_is_reviewed_in_finnish() -> None:
    def edit(d: Data) -> None:
        lowered_everything(d)
        item(d, "measures.yaml", "kpis", "csat")["positive"] = [3, 5]

    diffs = review(edit, "fi")
    lines = text(diffs, "main", "head").splitlines()
    assert lines[2] == "Web shop (shop): 2 tavoitetta löysennetty"
    assert " ! löysennetty  mittari Satisfaction (csat) positive: [4, 5] (oletus) → [3, 5]" in lines
    assert " ! löysennetty  tavoite Checkout (o-checkout) target 1.1.2025 alkaen: 80 → 75" in lines
    assert lines[-1].startswith("2 tavoitetta löysennetty tai poistettu: ne tarvitsevat")
    comment = markdown(diffs, "main", "head")
    assert "| | vaikutus | mitä | ennen | jälkeen | miksi |" in comment
    assert "laajempi myönteinen alue laskee useamman vastauksen myönteiseksi" in comment
    assert "effect" not in comment and "loosened" not in comment


def test_one_objective_is_said_in_the_singular() -> None:
    diffs = review(lambda d: objective(d, "o-checkout")["targets"][0].update(target=85), "fi")
    assert text(diffs, "a", "b").splitlines()[2] == "Web shop (shop): 1 tavoite kiristetty"
    diffs = review(lambda d: objective(d, "o-checkout")["targets"][0].update(target=85))
    assert text(diffs, "a", "b").splitlines()[2] == "Web shop (shop): 1 objective tightened"


def test_the_comment_opens_with_the_marker_the_workflow_edits_it_by() -> None:
    assert markdown(review(lambda d: None), "a", "b").splitlines()[0] == "<!-- cxgov diff -->"


def test_a_finnish_backtest_names_objectives_and_says_verdicts_in_finnish() -> None:
    day = dt.date(2026, 2, 28)
    found = Backtest(
        "shop",
        dt.date(2026, 6, 15),
        5,
        judged=10,
        flips=[
            Flip("o-nps", {}, dt.date(2026, 2, 1), day, 15.0, 100, "fail", "below_target", 30, 10)
        ],
        actions=[ActionFlip("o-nps", {}, day, "miss", "base")],
        names={"o-nps": "Suositteluhalukkuus"},
    )
    output = backtest_text([found], "fi")
    assert "takautuva koeajo shop: 10 arviota viimeisiltä 5 jaksolta ennen 15.6.2026" in output
    assert (
        "  Suositteluhalukkuus (o-nps) 1.2.2026..28.2.2026: hälytys → alle tavoitteen "
        "(arvo 15,0, n=100, tavoitetaso 30 → 10)"
    ) in output
    assert "  toimenpide jäisi avaamatta: Suositteluhalukkuus (o-nps) tavoite alittui" in output
    comment = backtest_markdown([found], "fi")
    assert "### Takautuva koeajo: shop" in comment
    assert "| tavoite | jakso | arvo | n | arvio | tavoitetaso |" in comment
