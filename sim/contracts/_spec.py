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


class _SpecMeta(type(BaseModel)):  # type: ignore[misc]
    """Turns validation errors of a direct call (``Lockup(months=0)``) into ``ConfigError``.

    Done here rather than in ``__init__`` because pydantic calls a custom ``__init__`` while
    validating nested models too, which would wrap the message twice.
    """

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except ValidationError as exc:
            raise ConfigError(format_validation_error(cls.__name__, exc)) from None


class Spec(BaseModel, metaclass=_SpecMeta):
    """Frozen, strict, no unknown fields; errors become ``ConfigError``."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
