"""One place to describe a parameter: type, unit, default, bounds, meaning, source.

Every field of the scenario is declared with :func:`param`, so the same description drives
validation (pydantic), the "Hypothèses et sources" documentation page and the dashboard widgets.
A source is either a reference (a section of ``shared/reference`` and the publication it cites) or
starts with ``assumption:`` and says why the value was chosen.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

ASSUMPTION = "assumption"


def param(
    default: Any,
    *,
    unit: str = "",
    desc: str,
    source: str,
    desc_fr: str = "",
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
    widget: bool = False,
) -> Any:
    """Declare a scenario parameter.

    Parameters
    ----------
    default
        Default value (or a default factory if callable and not a plain value).
    unit
        Unit of the value, as shown to users (also present in the field name).
    desc, desc_fr
        One-line meaning in English and French.
    source
        Where the default comes from, or ``"assumption: …"``.
    ge, le, gt, lt
        Bounds; a value outside them is a validation error that states them.
    widget
        Whether the dashboard shows this parameter among the main widgets.
    """
    extra = {"unit": unit, "source": source, "desc_fr": desc_fr or desc, "widget": widget}
    kwargs: dict[str, Any] = {"description": desc, "json_schema_extra": extra}
    for key, val in (("ge", ge), ("le", le), ("gt", gt), ("lt", lt)):
        if val is not None:
            kwargs[key] = val
    if isinstance(default, type) or (callable(default) and not isinstance(default, int | float | str | bool)):
        # a model class or a function: build a fresh default each time
        return Field(default_factory=default, **kwargs)
    return Field(default, **kwargs)


def is_assumption(source: str) -> bool:
    """True when a parameter's source says it is an assumption."""
    return source.strip().lower().startswith(ASSUMPTION)
