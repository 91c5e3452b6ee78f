"""docs/scenarios.md documents every field of the scenario format."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from sim.scenario import base, faults, margin, scenario, securities, taxonomy

DOC = (Path(__file__).resolve().parents[2] / "docs" / "scenarios.md").read_text()


def _models() -> list[type[BaseModel]]:
    return [
        obj for module in (base, faults, securities, margin, taxonomy, scenario) for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj.__module__ == module.__name__ and obj is not base.Model
    ]


def test_every_scenario_field_is_documented():
    missing = [
        f"{model.__name__}.{field}"
        for model in _models()
        for field in model.model_fields
        if field != "kind" and f"`{field}`" not in DOC and f"`{field}`," not in DOC
    ]
    assert missing == []


def test_every_fault_kind_is_documented():
    for model in _models():
        kind = model.model_fields.get("kind")
        if kind is not None and kind.default:
            assert f"`{kind.default}`" in DOC, kind.default


def test_the_safe_harbor_tutorial_quotes_the_run_it_walks_through():
    """docs/safe-harbor.md shows the printed output of safe_harbor_matures: its figures are
    those of the golden summary (regenerated from the run), so the tutorial cannot drift."""
    import json

    tutorial = (Path(__file__).resolve().parents[2] / "docs" / "safe-harbor.md").read_text()
    golden = json.loads((Path(__file__).resolve().parents[1] / "scenarios" / "golden" / "safe_harbor_matures.json").read_text())
    m = golden["metrics"]
    figures = [f"{test['measured']:,}" for test in m["exit"]["tests"].values()]
    figures += [f"{n:,}" for counts in m["trades_by_class"].values() for n in counts.values()]
    figures += [f"{n:,}" for n in m["refusals_by_error"].values()]
    figures += [f"${m['raised_usd']:,.2f}", f"day {m['exit']['day']:g}", m["exit"]["class"]]
    missing = [f for f in figures if f not in tutorial]
    assert missing == []
