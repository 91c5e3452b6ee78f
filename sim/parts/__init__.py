"""The parts a world can play, one package each, with their actors one module per role.

``PARTS`` maps each scenario section to its part, in set-up order: the securities
lifecycle first (it offers its token to the others), then collateral and margin, then
the taxonomy.
"""

from __future__ import annotations

from sim.engine.part import Part
from sim.parts.margin.part import MarginPart
from sim.parts.securities.part import SecuritiesPart
from sim.parts.taxonomy.part import TaxonomyPart

PARTS: dict[str, type[Part]] = {
    SecuritiesPart.name: SecuritiesPart,
    MarginPart.name: MarginPart,
    TaxonomyPart.name: TaxonomyPart,
}

__all__ = ["PARTS", "MarginPart", "SecuritiesPart", "TaxonomyPart"]
