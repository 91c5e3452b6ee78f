"""docs/scenarios.md documents every field of the scenario format."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from sim.scenario import models

DOC = (Path(__file__).resolve().parents[2] / "docs" / "scenarios.md").read_text()


def _models() -> list[type[BaseModel]]:
    from sim.scenario import margin

    return [
        obj for module in (models, margin) for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, BaseModel) and obj.__module__ == module.__name__ and obj is not models.Model
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
