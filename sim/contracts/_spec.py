"""Base of the validated parameter models (identities, compliance modules).

A ``Spec`` is a frozen pydantic model that refuses unknown fields and wrong types
(strict mode: ``"6"`` is not a number of months). Bad values raise ``ConfigError`` naming
the model, the field, the value and what was expected, before anything is deployed.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from sim.errors import ConfigError


def format_validation_error(title: str, exc: ValidationError) -> str:
    """One line per problem: ``Title.field.path: message (got value)``."""
    lines = []
    for error in exc.errors():
        path = ".".join(str(p) for p in error["loc"])
        where = f"{title}.{path}" if path else title
        got = error.get("input")
        shown = "" if isinstance(got, dict) else f" (got {got!r})"
        lines.append(f"{where}: {error['msg']}{shown}")
    return "\n".join(lines)


class Spec(BaseModel):
    """Frozen, strict, no unknown fields; errors become ``ConfigError``."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise ConfigError(format_validation_error(type(self).__name__, exc)) from None
