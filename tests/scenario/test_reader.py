"""The strict YAML reader: what PyYAML lets through and a scenario file must not, and what it
still allows (merge keys, aliases within bounds, nesting up to the limit)."""

from __future__ import annotations

import pytest
import yaml

from sim.scenario.reader import MAX_DEPTH, MAX_NODES, read


def _refused(text: str) -> yaml.MarkedYAMLError:
    with pytest.raises(yaml.MarkedYAMLError) as refused:
        read(text)
    return refused.value


def test_a_key_given_twice_is_refused_at_its_second_line_naming_the_first():
    error = _refused("name: a\nseed: 1\nname: b\n")
    assert error.problem == "found duplicate key 'name' (first on line 1)"
    assert error.problem_mark.line + 1 == 3


def test_keys_a_merge_brings_may_be_overridden():
    data, _ = read("base: &base {a: 1, b: 2}\nthis:\n  <<: *base\n  b: 3\n")
    assert data["this"] == {"a": 1, "b": 3}


def test_nesting_up_to_the_limit_is_read():
    data, _ = read("x: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "\n")  # the mapping is the first level
    assert isinstance(data["x"], list)


def test_nesting_one_level_deeper_is_refused_without_recursion_error():
    assert _refused("x: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n").problem == f"nested deeper than {MAX_DEPTH} levels"
    assert "nested deeper" in _refused("x: " + "[" * 100_000 + "]" * 100_000 + "\n").problem


def test_nesting_made_deep_by_aliases_is_refused():
    half = MAX_DEPTH // 2 + 1
    text = f"a: &a {'[' * half}1{']' * half}\nb: {'[' * half}*a{']' * half}\n"
    assert _refused(text).problem == f"nested deeper than {MAX_DEPTH} levels once its aliases are expanded"


def test_aliases_of_aliases_past_the_limit_are_refused_at_once():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]  # 10**9 values
    error = _refused("\n".join(lines) + "\n")
    assert error.problem.startswith(f"holds more than {MAX_NODES:,} values, aliases expanded")
    assert error.problem_mark.line + 1 == 5  # a4: the first to pass 100,000


def test_aliases_within_the_limit_are_read():
    data, _ = read("d: &d {kind: fixed, value: 5}\nx: [*d, *d, *d]\n")
    assert data["x"] == [{"kind": "fixed", "value": 5}] * 3


def test_an_alias_inside_its_own_anchor_is_refused():
    assert _refused("a: &a [1, *a]\n").problem.startswith("the alias *a refers to the node that contains it")


@pytest.mark.parametrize("date", ["2026-02-30", "0000-01-01", "2026-13-01"])
def test_a_date_that_does_not_exist_is_a_yaml_error_with_its_line(date):
    error = _refused(f"name: a\nstart: {date}\n")
    assert error.problem.startswith(f"not a date: '{date}'")
    assert error.problem_mark.line + 1 == 2
