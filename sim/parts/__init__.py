"""The parts a world can play, one package each, with their actors one module per role.

``PARTS`` maps each scenario section to its part, in set-up order: the securities
lifecycle first (it offers its token to the others), then collateral and margin, then
the taxonomy.

A part's package is imported when its class is first asked for (``PARTS["margin"]``,
``from sim.parts import MarginPart``), so a run imports the parts it plays and no other:
a securities-only run does not pay for the margin and taxonomy parts' imports (about
0.15 s of the smallest scenario's start-up).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import Any

from sim.engine.part import Part

_CLASSES = {  # section name -> (module, class), in set-up order
    "securities": ("sim.parts.securities.part", "SecuritiesPart"),
    "margin": ("sim.parts.margin.part", "MarginPart"),
    "taxonomy": ("sim.parts.taxonomy.part", "TaxonomyPart"),
}


class _Parts(Mapping[str, type[Part]]):
    """Section name -> part class, in set-up order, each imported on first use."""

    def __getitem__(self, name: str) -> type[Part]:
        module, cls = _CLASSES[name]
        return getattr(importlib.import_module(module), cls)

    def __iter__(self) -> Iterator[str]:
        return iter(_CLASSES)

    def __len__(self) -> int:
        return len(_CLASSES)

    def __repr__(self) -> str:
        return f"PARTS({', '.join(_CLASSES)})"


PARTS: Mapping[str, type[Part]] = _Parts()


def __getattr__(name: str) -> Any:
    for section, (_module, cls) in _CLASSES.items():
        if cls == name:
            return PARTS[section]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["PARTS", "MarginPart", "SecuritiesPart", "TaxonomyPart"]
