"""docs/rules.md is the code's own table of defaults, each with its source or named a model choice."""

from __future__ import annotations

from pathlib import Path

from sim.sources import CITATION, defaults, markdown

PAGE = Path(__file__).parent.parent / "docs" / "rules.md"


def test_the_rules_page_is_what_the_code_says():
    assert PAGE.read_text() == markdown(), "regenerate it: python -m sim.sources > docs/rules.md"


def test_every_default_called_a_rule_cites_its_source():
    uncited = [d.name for d in defaults() if d.kind == "rule" and not CITATION.search(d.source)]
    assert uncited == []


def test_defaults_no_rule_fixes_are_named_model_choices():
    kinds = {d.name: d.kind for d in defaults()}
    assert kinds["CROSS_FLOOR_BPS"] == kinds["CALL_PERIOD_SECONDS"] == kinds["DEFAULT_SCHEDULE"] == "model choice"
    assert kinds["REG_T_INITIAL_BPS"] == kinds["SILOED_MIN_EQUITY_CENTS"] == kinds["RETAIL_CLOSE_OUT_BPS"] == "rule"


def test_the_page_gives_each_default_its_value_and_source():
    page = PAGE.read_text()
    assert "| `SILOED_MIN_EQUITY_CENTS` | 200_000 | rule | FINRA 4210(b)(4) |" in page
    assert "| `CROSS_FLOOR_BPS` | 0 | model choice | - |" in page
