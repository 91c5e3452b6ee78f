"""Reading scenario files: YAML in, a validated ``Scenario`` out, or a precise error.

Every problem names the file, the line, the field path, the value and what was expected::

    scenarios/bad.yaml:14: offering.price: Input should be greater than or equal to 0 (got -5)

``load`` raises ``ScenarioError`` (a ``ConfigError``) listing every problem found, before
anything is deployed or written. The file must be UTF-8 text of at most ``MAX_BYTES``; its
YAML is read strictly (``sim.scenario.reader``: no duplicate keys, no nesting deeper than 64
levels, no alias bombs).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.errors import ConfigError
from sim.scenario.base import Invalid
from sim.scenario.reader import read
from sim.scenario.scenario import SECTIONS, Scenario, legacy

MAX_BYTES = 10 * 2**20
"""The largest scenario file read (10 MiB; the shipped ones are a few kilobytes)."""

KINDS = ("lifecycle", "margin", "taxonomy")
"""``kind`` values of the earlier formats (a scenario of this format needs none)."""

SCENARIOS_DIR = Path(__file__).resolve().parents[2] / "scenarios"


class ScenarioError(ConfigError):
    """A scenario that cannot be used; ``problems`` lists ``(line, field, message)``."""

    def __init__(self, source: str, problems: list[tuple[int | None, str, str]]) -> None:
        self.source = source
        self.problems = problems
        lines = []
        for line, field, message in problems:
            where = f"{source}:{line}" if line else source
            lines.append(f"{where}: {field}: {message}" if field else f"{where}: {message}")
        super().__init__("\n".join(lines))


def load(path: str | Path) -> Scenario:
    """Read and validate a scenario file."""
    path = Path(path)
    source = str(path)
    try:
        if path.is_dir():
            raise ScenarioError(source, [(None, "", "is a directory, not a scenario file")])
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError(source, [(None, "", "file not found")]) from None
    except PermissionError:
        raise ScenarioError(source, [(None, "", "cannot read the file: permission denied")]) from None
    except OSError as exc:
        raise ScenarioError(source, [(None, "", f"cannot read the file: {exc.strerror or exc}")]) from None
    if len(raw) > MAX_BYTES:
        raise ScenarioError(source, [(None, "", f"larger than {MAX_BYTES // 2**20} MiB: not a scenario file")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problem = f"not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot be decoded (save the file as UTF-8)"
        raise ScenarioError(source, [(line, "", problem)]) from None
    return loads(text, source=source)


def loads(text: str, source: str = "<string>") -> Scenario:
    """Validate a scenario given as YAML text."""
    try:
        data, tree = read(text)
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        problem = f"unacceptable character #x{exc.character:04x}: {exc.reason}" if isinstance(exc.character, int) \
            else str(exc.reason)
        raise ScenarioError(source, [(line, "", f"not valid YAML: {problem}")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        if context and problem.startswith("but "):  # "expected a single document in the stream, but found another"
            problem = f"{context}, {problem}"
        raise ScenarioError(source, [(line, "", f"not valid YAML: {problem}")]) from None
    if not isinstance(data, dict):
        shown = "an empty file" if data is None else f"a {type(data).__name__}"
        line = tree.start_mark.line + 1 if tree is not None else 1
        raise ScenarioError(source, [(line, "", f"a scenario is a mapping of fields, got {shown}")])
    return validate(data, source=source, tree=tree)


def validate(data: dict[str, Any], source: str = "<dict>", tree: yaml.Node | None = None) -> Scenario:
    """Validate a scenario given as a dict (``tree``: its YAML nodes, for line numbers).

    With a ``tree`` (the dict is a file's), a section left empty (``offering:`` and nothing
    after it) is refused; ``null`` written out is an absent section, as ``model_dump`` writes it.
    A dict of the earlier ``kind: margin`` or ``kind: taxonomy`` formats is read into its
    section first (``sim.scenario.scenario.legacy``); errors name fields as the dict spells them.
    """
    kind = data.get("kind", "lifecycle")
    if kind not in KINDS:
        raise ScenarioError(
            source, [(_line_of(tree, ["kind"]), "kind", f"expected one of {', '.join(map(repr, KINDS))} (got {kind!r})")]
        )
    mapped, translate = legacy(data)
    for name in SECTIONS:  # "offering:" with nothing under it is a mistake; "offering: null" an absence
        if name in mapped and mapped[name] is None and _left_empty(tree, name):
            loc = list(translate((name,)))
            raise ScenarioError(source, [(_line_of(tree, loc), ".".join(map(str, loc)),
                                          "the section is empty: give its fields, or leave it out")])
    try:
        return Scenario.model_validate(mapped)
    except Invalid as exc:
        loc = list(translate(exc.loc))
        message = exc.message if exc.value is Invalid.NOTHING else f"{exc.message} (got {_shown(exc.value)})"
        raise ScenarioError(source, [(_line_of(tree, loc), ".".join(map(str, loc)), message)]) from None
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = list(translate(tuple(error["loc"])))
            field = ".".join(str(p) for p in loc)
            message = error["msg"].removeprefix("Value error, ")
            shown = "input" in error and not isinstance(error["input"], dict | list | BaseModel)
            if error["type"] not in ("missing",) and shown:
                message += f" (got {_shown(error['input'])})"
            problems.append((_line_of(tree, loc), field, message))
        raise ScenarioError(source, problems) from None


def _shown(value: Any) -> str:
    """A value as an error shows it: dates as written (ISO 8601), anything else as ``repr``."""
    if isinstance(value, date):
        return value.isoformat()
    return repr(value)


def _left_empty(tree: yaml.Node | None, key: str) -> bool:
    """Whether the file gives ``key`` at its top level with nothing at all after the colon."""
    if not isinstance(tree, yaml.MappingNode):
        return False
    node = next((v for k, v in tree.value if getattr(k, "value", None) == key), None)
    return isinstance(node, yaml.ScalarNode) and node.value == "" and node.style is None


def _line_of(tree: yaml.Node | None, loc: list[Any]) -> int | None:
    """Line (1-based) of the deepest YAML node along ``loc`` that exists."""
    if tree is None:
        return None
    node = tree
    line = node.start_mark.line + 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == str(part)), None)
            if match is None:
                key = next((k for k, _ in node.value if getattr(k, "value", None) == str(part)), None)
                if key is not None:
                    line = key.start_mark.line + 1
                continue  # a union tag or a missing field: stay on the parent
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            continue
        line = node.start_mark.line + 1
    return line


def shipped() -> dict[str, Path]:
    """Shipped scenario files by name (``scenarios/*.yaml``)."""
    return {p.stem: p for p in sorted(SCENARIOS_DIR.glob("*.yaml"))}


def resolve(name_or_path: str) -> Path:
    """A scenario path from a path or the name of a shipped scenario."""
    path = Path(name_or_path)
    if path.exists() or path.suffix in (".yaml", ".yml"):
        return path
    known = shipped()
    if name_or_path in known:
        return known[name_or_path]
    raise ScenarioError(
        name_or_path, [(None, "", f"no such file, nor a shipped scenario ({', '.join(known) or 'none'})")]
    )
