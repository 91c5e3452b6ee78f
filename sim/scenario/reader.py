"""Reading YAML strictly: what PyYAML lets through and a scenario must not.

PyYAML's ``safe_load`` is safe from code execution, not from mistakes or hostile files. A
scenario is read with ``StrictLoader``, which refuses, each with the line it happens on:

- a key given twice in one mapping (PyYAML silently keeps the last one)::

      name: fund
      duration_days: 90
      duration_days: 30     # line 3: found duplicate key 'duration_days' (first on line 2)

- nesting deeper than ``MAX_DEPTH`` levels, written out or through aliases (PyYAML's
  composer recurses once per level and would end in a ``RecursionError``);
- aliases that expand to more than ``MAX_NODES`` values (a "billion laughs": nine aliases
  of nine aliases of ... are a few lines of text and a billion values to validate), or that
  refer to the node containing them (a structure that never ends);
- dates that do not exist (``2026-02-30``, year 0), which PyYAML raises as a bare
  ``ValueError``.

Each refusal is a ``yaml.MarkedYAMLError`` with its mark, so the loader reports it like any
other YAML error. Merge keys (``<<: *defaults``) are allowed and may be overridden.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent, CollectionStartEvent

MAX_DEPTH = 64
"""Levels of nested mappings and lists (the shipped scenarios use at most 7)."""

MAX_NODES = 100_000
"""Values a document may expand to, aliases expanded (the shipped scenarios have about 500)."""

MERGE = "tag:yaml.org,2002:merge"


class StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` with the refusals in the module's docstring."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._open: list[str | None] = []  # anchors of the collections being composed, outermost first
        self._measure: dict[int, tuple[int, int]] = {}  # id(node) -> (values, levels), aliases expanded

    # ---------------------------------------------------------------- composing

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, AliasEvent) and event.anchor in self._open:
            raise ComposerError(None, None, f"the alias *{event.anchor} refers to the node that contains it "
                                "(a structure without end)", event.start_mark)
        collection = isinstance(event, CollectionStartEvent)
        if collection:
            if self._depth >= MAX_DEPTH:
                raise ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels", event.start_mark)
            self._depth += 1
            self._open.append(event.anchor)
        try:
            node = super().compose_node(parent, index)
        finally:
            if collection:
                self._depth -= 1
                self._open.pop()
        self._count(node)
        return node

    def _count(self, node: yaml.Node) -> None:
        """Record how many values ``node`` expands to and how deep; refuse past the limits."""
        if id(node) in self._measure:  # an alias of a node already counted
            return
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        else:
            self._measure[id(node)] = (1, 0)
            return
        values, levels = 1, 1
        for child in children:
            n, depth = self._measure.get(id(child), (1, 0))
            values += n
            levels = max(levels, depth + 1)
        if levels > MAX_DEPTH:
            raise ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels once its aliases are expanded",
                                node.start_mark)
        if values > MAX_NODES:
            raise ComposerError(None, None, f"holds more than {MAX_NODES:,} values, aliases expanded (a scenario "
                                "holds hundreds; aliases of aliases make a 'billion laughs')", node.start_mark)
        self._measure[id(node)] = (values, levels)

    # ------------------------------------------------------------- constructing

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            first: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == MERGE:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    seen = first.get(key)
                except TypeError:  # an unhashable key: the constructor below says so
                    continue
                if seen is not None:
                    raise ConstructorError("while constructing a mapping", node.start_mark,
                                           f"found duplicate key {key!r} (first on line {seen})", key_node.start_mark)
                first[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            raise ConstructorError(None, None, f"not a date: {node.value!r} ({exc})", node.start_mark) from None


StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", StrictLoader.construct_yaml_timestamp)


def read(text: str) -> tuple[Any, yaml.Node | None]:
    """The data of a one-document YAML text and its node tree (for line numbers).

    Raises:
        yaml.YAMLError: the text is not YAML, or is refused (see the module's docstring).
    """
    loader = StrictLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, node


__all__ = ["MAX_DEPTH", "MAX_NODES", "StrictLoader", "read"]
