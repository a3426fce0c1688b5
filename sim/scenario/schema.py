"""The scenario schema as data: every parameter reached by a dotted path, with its metadata.

:func:`iter_params` walks the Scenario's pydantic models (nested blocks, dicts and tuples of
blocks) and yields one :class:`ParamInfo` per parameter: path, field, default, unit, source,
meaning in French and English, bounds, kind. The documentation (:mod:`sim.scenario.docs`), the dashboard's
widgets and its "Hypothèses et sources" page all read the schema through it, so they cannot drift.
No streamlit here.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.i18n import normalise_lang
from sim.scenario.labels import source_text, unit_text
from sim.scenario.model import Scenario
from sim.scenario.params import is_assumption
from sim.scenario.paths import split_path


@dataclass(frozen=True)
class ParamInfo:
    """One parameter of the scenario schema, reached by a dotted path."""

    path: str  # e.g. "households.consumption_l_per_person_day", "network.cohorts[0].length_km"
    field: FieldInfo
    default: Any  # the default at this path (from the enclosing default objects)
    container: bool = False  # a dict or tuple of blocks (its items are listed after it)

    @property
    def extra(self) -> dict[str, Any]:
        extra = self.field.json_schema_extra
        return extra if isinstance(extra, dict) else {}

    @property
    def unit(self) -> str:
        return str(self.extra.get("unit", ""))

    @property
    def source(self) -> str:
        return str(self.extra.get("source", ""))

    def unit_in(self, lang: str) -> str:
        """The unit written for ``lang`` (``€/an`` in French for ``€/yr``)."""
        return unit_text(self.unit, lang)

    def source_in(self, lang: str) -> str:
        """The source written for ``lang`` (French sources of assumptions start « Hypothèse »)."""
        return source_text(self.source, lang)

    @property
    def assumption(self) -> bool:
        return is_assumption(self.source)

    @property
    def widget(self) -> bool:
        return bool(self.extra.get("widget", False))

    def meaning(self, lang: str) -> str:
        """The one-line meaning in ``lang`` (French: ``desc_fr``; English: ``description``)."""
        if normalise_lang(lang) == "fr":
            return str(self.extra.get("desc_fr") or self.field.description or self.path)
        return str(self.field.description or self.extra.get("desc_fr") or self.path)

    @property
    def bounds(self) -> dict[str, float]:
        """``{"ge": 0, "le": 1}`` etc., from the field's constraints."""
        out: dict[str, float] = {}
        for meta in self.field.metadata:
            for name in ("ge", "gt", "le", "lt"):
                if isinstance(meta, getattr(annotated_types, name.capitalize())):
                    out[name] = getattr(meta, name)
        return out

    @property
    def choices(self) -> tuple[Any, ...]:
        """The allowed values of a ``Literal`` field (empty otherwise)."""
        ann = _strip_optional(self.field.annotation)
        return typing.get_args(ann) if typing.get_origin(ann) is Literal else ()

    @property
    def kind(self) -> str:
        """``"bool"``, ``"int"``, ``"float"``, ``"choice"``, ``"str"`` or ``"other"``."""
        if self.choices:
            return "choice"
        ann = _strip_optional(self.field.annotation)
        if ann is bool:
            return "bool"
        if ann is int:
            return "int"
        if ann is float:
            return "float"
        if ann is str:
            return "str"
        return "other"

    @property
    def optional(self) -> bool:
        return type(None) in typing.get_args(self.field.annotation)


def _strip_optional(ann: Any) -> Any:
    args = typing.get_args(ann)
    if args and type(None) in args and typing.get_origin(ann) is not Literal:
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return rest[0]
    return ann


def _is_model(ann: Any) -> bool:
    return isinstance(ann, type) and issubclass(ann, BaseModel)


def _item_model(ann: Any) -> tuple[str, type[BaseModel]] | None:
    """``("dict", M)`` for ``dict[str, M]``, ``("tuple", M)`` for ``tuple[M, ...]``, else None."""
    origin, args = typing.get_origin(ann), typing.get_args(ann)
    if origin is dict and len(args) == 2 and _is_model(args[1]):
        return "dict", args[1]
    if origin is tuple and args and _is_model(args[0]):
        return "tuple", args[0]
    return None


def _field_default(f: FieldInfo) -> Any:
    if f.default_factory is not None:
        return f.default_factory()  # type: ignore[call-arg]
    if _is_model(f.default):  # a block class given as its own default
        return f.default()
    return f.default


def iter_params(
    model_cls: type[BaseModel] | None = None, prefix: str = "", defaults: BaseModel | None = None
) -> Iterator[ParamInfo]:
    """Every parameter of ``model_cls`` (the Scenario by default), depth first, in field order.

    Nested blocks are entered without a row of their own. A dict or tuple of blocks (materials,
    cohorts, tariff blocks, usage rules, shocks) gets a row of its own, then one set of rows per
    default item (``network.materials.pe.life_years``, ``network.cohorts[0].length_km``), or, when
    the default is empty, one template set with ``[*]`` (``shocks[*].year``).
    """
    if model_cls is None:
        model_cls = Scenario
    for name, f in model_cls.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        default = getattr(defaults, name) if defaults is not None else _field_default(f)
        ann = _strip_optional(f.annotation)
        if _is_model(ann):
            yield from iter_params(ann, path, default)
            continue
        items = _item_model(ann)
        if items is None:
            yield ParamInfo(path, f, default)
            continue
        yield ParamInfo(path, f, default, container=True)
        kind, item_cls = items
        if kind == "dict":
            for key, item in (default or {}).items():
                yield from iter_params(item_cls, f"{path}.{key}", item)
        elif default:
            for i, item in enumerate(default):
                yield from iter_params(item_cls, f"{path}[{i}]", item)
        else:
            yield from iter_params(item_cls, f"{path}[*]", None)


def param_at(model_cls: type[BaseModel], dotted: str) -> ParamInfo:
    """The parameter at ``dotted`` (dict keys and ``[i]`` indexes allowed), without its default.

    Raises
    ------
    KeyError
        If the path does not lead to a field.
    """
    parts = split_path(dotted)
    current: type[BaseModel] = model_cls
    i = 0
    while i < len(parts):
        name = parts[i]
        f = current.model_fields.get(name) if isinstance(name, str) else None
        if f is None:
            raise KeyError(f"{dotted!r}: no field {name!r} in {current.__name__}")
        ann = _strip_optional(f.annotation)
        if i == len(parts) - 1:
            if _is_model(ann):
                raise KeyError(f"{dotted!r} names a block, not a parameter")
            return ParamInfo(dotted, f, None, container=_item_model(ann) is not None)
        if _is_model(ann):
            current = ann
            i += 1
            continue
        items = _item_model(ann)
        if items is None or i + 2 >= len(parts):
            raise KeyError(f"{dotted!r}: {name!r} has no fields below it")
        current = items[1]
        i += 2  # skip the dict key or tuple index
    raise KeyError(f"{dotted!r} names a block, not a parameter")


def get_path(values: Mapping[str, Any] | BaseModel, dotted: str) -> Any:
    """The value at ``dotted`` in a nested mapping or model (``None`` if absent)."""
    node: Any = values
    for part in split_path(dotted):
        if isinstance(part, int):
            node = node[part] if isinstance(node, list | tuple) and part < len(node) else None
        elif isinstance(node, Mapping):
            node = node.get(part)
        else:
            node = getattr(node, part, None)
        if node is None:
            return None
    return node
