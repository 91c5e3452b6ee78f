"""Grid fields: dotted paths into a scenario, and the values a sweep gives them.

A grid field names one value of the scenario the way its file spells it: the keys of
mappings, and the index of a list's item (a list needs one), so ``margin.shocks.1.move_pct``
is the second shock's move and ``investors.0.count`` the first population's size::

    tokensim sweep retail_leverage_caps --grid margin.shocks.1.move_pct=-25,-40,-55

On the command line the values are split at commas and each is read as an integer, a
number, a YAML scalar (``true``, ``null``, a date) or else a string (quote a string that
looks like a number: ``name='123'``). In Python they are given as they are.

Every value is set into the scenario and the whole scenario validated by its model before
anything runs: first each value alone, then each combination of the grid (a value may be
fine alone and not with another: a shock's day past a shorter duration). A path into a
value (``name.x``), a list without an index, an index past the list's end, or a field the
model does not have is refused as a bad path; a value the model refuses, with the model's
own message (file, line, field, value and what was expected).
"""

from __future__ import annotations

import itertools
import re
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel

from sim.errors import ConfigError

PATH_PART = re.compile(r"^[A-Za-z0-9_/-]+$")
"""One step of a grid path: a key (letters, digits, ``_``, ``-``, ``/``) or a list index."""

NOT_GRIDDED = {"seed": "the sweep gives each run its seed: use --seeds or --seed-list"}
"""Top-level fields a grid may not set, and why."""


class SweepError(ConfigError):
    """A sweep that cannot be run as given (bad scenario, grid, seeds, options or sweep
    directory); the message names the file, the field, the value and what was expected.
    Raised before anything is written."""


@dataclass(frozen=True)
class Point:
    """One point of the grid: its index, the value of each grid field, the scenario there."""

    index: int
    values: dict[str, Any]
    scenario: Any  # sim.scenario.Scenario


def parse_value(text: str) -> Any:
    """A value as written on the command line: an integer, a number, a YAML scalar, or the text."""
    text = text.strip()
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return value if value is None or isinstance(value, str | bool | int | float) or _is_date(value) else text


def _is_date(value: Any) -> bool:
    import datetime

    return isinstance(value, datetime.date)


def parse_option(option: str) -> tuple[str, list[Any]]:
    """``FIELD=V1,V2,...`` (a ``--grid`` option) as the field and its values."""
    field, sep, values = option.partition("=")
    field = field.strip()
    if not sep or not field:
        raise SweepError(f"--grid {option!r}: expected FIELD=V1,V2,... (a dotted path into the scenario, "
                         "then its values), as in margin.shocks.0.move_pct=-10,-30")
    if not values.strip():
        raise SweepError(f"--grid {field}: no values after '=': expected FIELD=V1,V2,...")
    return field, [parse_value(v) for v in values.split(",")]


def parse_options(options: Sequence[str]) -> dict[str, list[Any]]:
    """Every ``--grid`` option, in the order given; a field given twice is refused."""
    grid: dict[str, list[Any]] = {}
    for option in options:
        field, values = parse_option(option)
        if field in grid:
            raise SweepError(f"--grid {field}: given twice; give all its values in one option ({field}=V1,V2,...)")
        grid[field] = values
    return grid


def points(data: dict[str, Any], grid: Mapping[str, Sequence[Any]], *, source: str, tree: yaml.Node | None,
           scenario_model: type[BaseModel]) -> list[Point]:
    """The grid's points in order (the last field varies fastest), each validated.

    Args:
        data: the scenario as its file spells it (a mapping of fields).
        grid: each field's values.
        source: the scenario's file (or a label), for the messages.
        tree: the file's YAML nodes, for line numbers (None for a scenario given in Python).
        scenario_model: the scenario's model (to name the fields a bad path could have used).

    Raises:
        SweepError: a bad path, a bad value or a bad combination, named.
    """
    from sim.scenario import ScenarioError, validate

    for field, values in grid.items():
        if isinstance(values, str | bytes) or not isinstance(values, Sequence):
            raise SweepError(f"{source}: --grid {field}: expected a list of values (got {values!r})")
        if not values:
            raise SweepError(f"{source}: --grid {field}: no values")
        seen: list[Any] = []
        for value in values:
            if any(value == v and type(value) is type(v) for v in seen):
                raise SweepError(f"{source}: --grid {field}: the value {value!r} is given twice")
            seen.append(value)
    paths = {field: _path(field, values, data, source, scenario_model) for field, values in grid.items()}
    for field, values in grid.items():  # each value alone, on the scenario as it is
        for value in values:
            changed = _with(data, {paths[field]: value})
            try:
                validate(changed, source=source, tree=tree)
            except ScenarioError as exc:
                _refuse(exc, {field: value}, paths, source, scenario_model)
    found = []
    fields = list(grid)
    for index, combination in enumerate(itertools.product(*(grid[f] for f in fields))):
        values = dict(zip(fields, combination, strict=True))
        changed = _with(data, {paths[f]: v for f, v in values.items()})
        try:
            scenario = validate(changed, source=source, tree=tree)
        except ScenarioError as exc:
            _refuse(exc, values, paths, source, scenario_model)
        found.append(Point(index, values, scenario))
    return found


def _shown(values: dict[str, Any]) -> str:
    return ", ".join(f"{field}={value!r}" for field, value in values.items())


def _refuse(exc: Any, values: dict[str, Any], paths: dict[str, tuple[str | int, ...]], source: str,
            scenario_model: type[BaseModel]) -> typing.NoReturn:
    """A value (or a combination) the model refused: a bad path if the model has no such
    field, else the model's message after the values that led to it."""
    for line, field, message in exc.problems:
        if message.startswith("Extra inputs are not permitted"):
            for grid_field, path in paths.items():
                dotted = ".".join(map(str, path))
                if grid_field in values and (dotted == field or dotted.startswith(field + ".")):
                    raise SweepError(_no_such_field(source, grid_field, field, scenario_model)) from None
    what = "" if len(values) == 1 else "combination "
    raise SweepError(f"--grid {what}{_shown(values)}: {exc}") from None


def _no_such_field(source: str, grid_field: str, field: str, scenario_model: type[BaseModel]) -> str:
    parent, _, name = field.rpartition(".")
    known = _fields_of(scenario_model, parent.split(".") if parent else [])
    where = parent or "the scenario's top level"
    listing = f" (its fields: {', '.join(known)})" if known else ""
    return f"{source}: --grid {grid_field}: no field {name!r} in {where}{listing}"


def _fields_of(model: type[BaseModel], path: list[str]) -> list[str] | None:
    """The field names of the model at ``path`` (list indexes and mapping keys stepped
    through), or None where the path leads to no single model."""
    annotation: Any = model
    for part in path:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part)
            if field is None:
                return None
            annotation = field.annotation
        elif typing.get_origin(annotation) in (list, tuple) and part.isdigit():
            annotation = typing.get_args(annotation)[0]
        elif typing.get_origin(annotation) is dict:
            annotation = typing.get_args(annotation)[1]
        else:
            return None
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return None


def _unwrap(annotation: Any) -> Any:
    """``X`` from ``Annotated[X, ...]`` and ``X | None``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(options) != 1:
                return annotation
            annotation = options[0]
        else:
            return annotation


def _path(field: str, values: Sequence[Any], data: dict[str, Any], source: str,
          scenario_model: type[BaseModel]) -> tuple[str | int, ...]:
    """The steps of a grid field into the scenario's data, checked against what is there.

    A key the data does not have is accepted if the model has that field (the file may
    leave it at its default); the model then validates the value.
    """
    parts = field.split(".")
    if not all(PATH_PART.match(p) for p in parts):
        raise SweepError(f"{source}: --grid {field}: not a dotted path of field names and list indexes "
                         "(as in margin.shocks.0.move_pct)")
    if len(parts) == 1 and parts[0] in NOT_GRIDDED:
        raise SweepError(f"{source}: --grid {field}: {NOT_GRIDDED[parts[0]]}")
    legacy = data.get("kind") in ("margin", "taxonomy")  # fields spelled as the earlier formats did
    steps: list[str | int] = []
    node: Any = data
    for i, part in enumerate(parts):
        here = ".".join(parts[:i])
        if isinstance(node, list):
            if not part.isdigit():
                rest = ".".join(parts[i:])
                raise SweepError(f"{source}: --grid {field}: {here} is a list: name one of its items by its "
                                 f"index ({here}.0.{rest})")
            index = int(part)
            if index >= len(node):
                has = f"has {len(node)} item{'s' if len(node) != 1 else ''} (indexes 0 to {len(node) - 1})" \
                    if node else "is an empty list"
                raise SweepError(f"{source}: --grid {field}: {here} {has}, no item {index}")
            steps.append(index)
            node = node[index]
        elif isinstance(node, dict) or node is None:
            if node is None and part.isdigit():
                raise SweepError(f"{source}: --grid {field}: the scenario does not give {here}, so it has no "
                                 f"item {part}")
            if (node is None or part not in node) and not legacy:
                known = _fields_of(scenario_model, parts[:i])
                if known is not None and part not in known:
                    raise SweepError(_no_such_field(source, field, ".".join(parts[: i + 1]), scenario_model))
            steps.append(part)
            node = None if node is None else node.get(part)
        else:
            raise SweepError(f"{source}: --grid {field}: {here} is a value ({node!r}), not a section: "
                             f"it has no field {part!r}")
    scalars = all(not isinstance(v, dict | list) for v in values)
    if isinstance(node, dict | list) and scalars:
        what = f"a section (its fields: {', '.join(map(str, node))})" if isinstance(node, dict) \
            else "a list (name an item by its index)"
        raise SweepError(f"{source}: --grid {field}: is {what}, not a value")
    return tuple(steps)


def _with(data: dict[str, Any], changes: dict[tuple[str | int, ...], Any]) -> dict[str, Any]:
    """A copy of ``data`` with each path set to its value (absent sections created)."""
    copy = _copy(data)
    for path, value in changes.items():
        node = copy
        for step in path[:-1]:
            child = node[step] if isinstance(node, list) else node.get(step)
            if child is None:
                child = {}
                node[step] = child
            node = child
        node[path[-1]] = value
    return copy


def _copy(value: Any) -> Any:
    """A deep copy in which no two places share a mapping or a list (YAML aliases do)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


__all__ = ["NOT_GRIDDED", "Point", "SweepError", "parse_option", "parse_options", "parse_value", "points"]
