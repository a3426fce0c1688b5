"""One safe reader for every scenario that enters regie-sim: files, uploads, share links, forms.

Every door (the CLI, each dashboard upload, workshop creation, share links, widget changes) turns
untrusted text into a plain mapping here, with the same limits, before :mod:`sim.scenario.model`
validates it:

- size: at most :data:`MAX_FILE_BYTES` bytes, checked before anything is parsed;
- text: UTF-8 only (a byte order mark is allowed); a bad byte is located by line and column;
  a lone surrogate (``"\\ud800"``) is refused wherever it appears;
- YAML: the safe loader only, no aliases (a few bytes could expand into millions of values), no
  duplicate keys, at most :data:`MAX_DEPTH` levels of nesting (checked on the event stream, so a
  deeply nested file is refused in milliseconds, never by a ``RecursionError``);
- an empty file is refused (it used to run the default town silently);
- numbers: finite, at most :data:`MAX_ABS_NUMBER` in size, and a YAML boolean (``true``, ``yes``)
  is refused where the scenario expects a number (:func:`check_values`);
- ``extends:``: a scenario read from text (an upload, a share link, a workshop) may extend only a
  built-in scenario, by name (``town.yaml``; another service's by its path,
  ``electricity/town.yaml``); a file on disk may extend files in its own folder
  tree, or a built-in scenario by name. A file elsewhere is never opened, so an error can neither
  show its content nor tell whether it exists.

Every refusal is a located :class:`~sim.scenario.errors.ScenarioError` (FR and EN messages).
"""

from __future__ import annotations

import copy
import functools
import math
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from sim.scenario.errors import Problem, ScenarioError, field_labels
from sim.scenario.paths import split_path

MAX_FILE_BYTES = 200_000
MAX_DEPTH = 16  # nesting of mappings and lists; a full scenario needs 8
MAX_EXTENDS_DEPTH = 8
MAX_ABS_NUMBER = 1e12  # no quantity of a town's water service comes near; 1e308 is a typo or a probe
MAX_INT = 2**63 - 1

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def scenarios_dir() -> Path:
    """The folder of built-in scenarios (``scenarios/`` at the repository root)."""
    return Path(__file__).resolve().parent.parent.parent / "scenarios"


def builtin_names() -> tuple[str, ...]:
    """File names of the built-in water scenarios (``town.yaml``, …): the files at the top of
    ``scenarios/`` that are not multi-service scenarios (:func:`multiservice_builtin_names`)."""
    return tuple(name for name, multi in _top_files() if not multi)


def multiservice_builtin_names() -> tuple[str, ...]:
    """File names of the built-in multi-service scenarios (``multiservice.yaml``): the files at
    the top of ``scenarios/`` whose content has a ``services:`` block."""
    return tuple(name for name, multi in _top_files() if multi)


def is_multiservice_data(data: Any) -> bool:
    """True for the mapping of a multi-service scenario, known by its content: a ``services:``
    block (or ``service: multi``)."""
    return isinstance(data, Mapping) and ("services" in data or data.get("service") == "multi")


def is_multiservice_path(path: Path) -> bool:
    """True when the file at ``path`` is a multi-service scenario by its content (read through
    :func:`read_file` and :func:`parse_yaml`, so with every limit; a file that cannot be read is
    not one). Kept per file version (name, size, modification time)."""
    try:
        st = path.stat()
    except (OSError, ValueError):
        return False
    return _is_multi_file(str(path), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _is_multi_file(path: str, size: int, mtime_ns: int) -> bool:
    try:
        return is_multiservice_data(parse_yaml(read_file(Path(path), Path(path).name), Path(path).name))
    except ScenarioError:
        return False


def _top_files() -> tuple[tuple[str, bool], ...]:
    """Every ``*.yaml`` at the top of ``scenarios/``, sorted, with whether it is multi-service."""
    return tuple((p.name, is_multiservice_path(p)) for p in sorted(scenarios_dir().glob("*.yaml")))


# --------------------------------------------------------------------------------------------
# bytes -> text
# --------------------------------------------------------------------------------------------
def _where(text: bytes | str, pos: int) -> dict[str, Any]:
    head = text[:pos]
    nl = b"\n" if isinstance(head, bytes) else "\n"
    line = head.count(nl) + 1  # type: ignore[arg-type]
    column = pos - (head.rfind(nl) + 1)  # type: ignore[arg-type]
    return {"line": line, "column": column + 1}


def _too_large(origin: str) -> ScenarioError:
    return ScenarioError(
        [Problem(origin, "", "file_too_large", {"max": f"{MAX_FILE_BYTES:,}".replace(",", " ")})]
    )


def decode_text(data: bytes | str, origin: str) -> str:
    """UTF-8 text of ``data`` within the size limit, or a located :class:`ScenarioError`."""
    if isinstance(data, str):
        if len(data) > MAX_FILE_BYTES:  # each character is at least one byte
            raise _too_large(origin)
        try:
            raw = data.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ScenarioError([Problem(origin, "", "lone_surrogate", _where(data, exc.start))]) from None
    else:
        raw = bytes(data)
    if len(raw) > MAX_FILE_BYTES:
        raise _too_large(origin)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError([Problem(origin, "", "not_utf8", _where(raw, exc.start))]) from None
    if "\x00" in text:
        raise ScenarioError([Problem(origin, "", "not_utf8", _where(text, text.index("\x00")))])
    return text


def read_file(path: Path, origin: str) -> str:
    """The text of a scenario file on disk, within the limits (never reads more than the limit)."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except (OSError, ValueError):
        raise ScenarioError([Problem(origin, "", "file_missing", {})]) from None
    return decode_text(raw, origin)


# --------------------------------------------------------------------------------------------
# text -> mapping
# --------------------------------------------------------------------------------------------
class _Duplicate(Exception):
    def __init__(self, key: Any, mark: Any):
        self.key, self.mark = key, mark


class _StrictLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader, refusing duplicate keys."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                dup = key in seen
                seen.add(key)
            except TypeError:
                continue  # an unhashable key: the safe constructor refuses it with its own error
            if dup:
                raise _Duplicate(key, key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


def _mark(mark: Any) -> dict[str, Any]:
    if mark is None:
        return {"line": "?", "column": "?"}
    return {"line": mark.line + 1, "column": mark.column + 1}


def _short(value: Any, limit: int = 60) -> str:
    text = str(value)
    text = text.encode("utf-8", errors="backslashreplace").decode("utf-8")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_events(text: str, origin: str) -> None:
    """Refuse aliases and nesting deeper than :data:`MAX_DEPTH`, reading only the event stream."""
    depth = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise ScenarioError([Problem(origin, "", "yaml_alias", _mark(event.start_mark))])
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise ScenarioError(
                    [Problem(origin, "", "too_deep", {**_mark(event.start_mark), "max": MAX_DEPTH})]
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def parse_yaml(text: str, origin: str, *, document: bool = True) -> Any:
    """Parse YAML with every limit; ``document`` (a whole scenario) must be a non-empty mapping.

    With ``document=False`` (a ``--set`` value) any YAML value is returned.
    """
    text = decode_text(text, origin)
    try:
        _check_events(text, origin)
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a safe loader subclass
    except ScenarioError:
        raise
    except _Duplicate as dup:
        raise ScenarioError(
            [Problem(origin, "", "duplicate_key", {**_mark(dup.mark), "found": _short(dup.key)})]
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        ctx = _mark(mark)
        if mark is None and getattr(exc, "position", None) is not None:  # a reader error
            ctx = _where(text, exc.position)  # type: ignore[attr-defined]
        raise ScenarioError(
            [
                Problem(
                    origin,
                    "",
                    "yaml_syntax",
                    {**ctx, "detail": _short(getattr(exc, "problem", None) or exc, 120)},
                )
            ]
        ) from None
    except (ValueError, OverflowError, RecursionError, MemoryError):
        # e.g. an integer of thousands of digits, or a date that does not exist
        raise ScenarioError([Problem(origin, "", "yaml_value", {})]) from None
    if not document:
        return data
    if data is None or data == {}:
        raise ScenarioError([Problem(origin, "", "empty_file", {"names": ", ".join(builtin_names())})])
    if not isinstance(data, dict):
        raise ScenarioError([Problem(origin, "", "not_a_mapping", {"found": type(data).__name__})])
    return data


# --------------------------------------------------------------------------------------------
# extends:
# --------------------------------------------------------------------------------------------
def deep_merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``over`` into ``base``: mappings merge key by key, anything else replaces."""
    out = copy.deepcopy(dict(base))
    for key, val in over.items():
        if isinstance(val, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], val)
        else:
            out[key] = copy.deepcopy(val)
    return out


#: the folders of scenarios/ holding another service's built-in scenarios
SERVICE_FOLDERS: tuple[str, ...] = ("electricity",)


def service_builtin_names() -> tuple[str, ...]:
    """The built-in scenarios of the other services, by their path (``electricity/town.yaml``)."""
    return tuple(
        f"{folder}/{p.name}"
        for folder in SERVICE_FOLDERS
        for p in sorted((scenarios_dir() / folder).glob("*.yaml"))
    )


def _builtin(ref: str) -> Path | None:
    """The built-in scenario ``ref`` names exactly (``town.yaml``, ``town``,
    ``electricity/regie.yaml``), else None."""
    names = builtin_names() + multiservice_builtin_names() + service_builtin_names()
    name = ref if ref in names else f"{ref}.yaml" if f"{ref}.yaml" in names else None
    return scenarios_dir() / name if name else None


def _is_file(path: Path) -> bool:
    """``path.is_file()``, False for a name the system refuses (too long, a NUL byte)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _parent_of(ref: str, origin: Path | str, root: Path | None) -> tuple[Path, Path]:
    """The file ``ref`` names from ``origin`` and the folder tree it may in turn extend within."""
    names = ", ".join(builtin_names())
    where = str(origin) if isinstance(origin, str) else origin.name
    if not isinstance(origin, Path) or root is None:
        builtin = _builtin(ref)
        if builtin is None:
            raise ScenarioError([Problem(where, "extends", "extends_builtin_only", {"names": names})])
        return builtin, scenarios_dir().resolve()
    try:
        candidate = (origin.parent / ref).resolve()
    except (OSError, ValueError, RuntimeError):
        candidate = None
    if candidate is not None and _within(candidate, root):
        if _is_file(candidate):
            return candidate, root
        builtin = _builtin(ref)
        if builtin is not None:
            return builtin, scenarios_dir().resolve()
        raise ScenarioError([Problem(where, "extends", "extends_missing", {"found": _short(ref)})])
    builtin = _builtin(ref)
    if builtin is not None:
        return builtin, scenarios_dir().resolve()
    shipped = scenarios_dir().resolve()
    top = builtin_names() + multiservice_builtin_names()
    if candidate is not None and candidate.parent == shipped and candidate.name in top:
        return candidate, shipped  # a built-in scenario named by its path
    # outside the file's folder tree: never opened, and the same answer whether it exists or not
    raise ScenarioError([Problem(where, "extends", "extends_outside", {"names": names})])


def resolve_extends(
    data: dict[str, Any], origin: Path | str, depth: int = 0, root: Path | None = None
) -> dict[str, Any]:
    """Follow ``extends:`` and merge the child over its parent.

    ``origin`` is the file's path for a file on disk (then ``root``, by default its folder, is the
    tree it may extend within), or a name such as ``"<upload>"`` for text, which may extend only
    a built-in scenario.
    """
    data = dict(data)
    parent_ref = data.pop("extends", None)
    if parent_ref is None:
        return data
    where = str(origin) if isinstance(origin, str) else origin.name
    if depth >= MAX_EXTENDS_DEPTH:
        raise ScenarioError([Problem(where, "extends", "extends_too_deep", {"max": MAX_EXTENDS_DEPTH})])
    if not isinstance(parent_ref, str) or not parent_ref.strip():
        raise ScenarioError(
            [Problem(where, "extends", "extends_not_path", {"found": _short(repr(parent_ref))})]
        )
    if isinstance(origin, Path) and root is None:
        root = origin.resolve().parent
    parent_path, parent_root = _parent_of(parent_ref, origin, root)
    label = parent_path.name if _within(parent_path, scenarios_dir().resolve()) else parent_ref
    parent = parse_yaml(read_file(parent_path, label), label)
    parent = resolve_extends(parent, parent_path, depth + 1, parent_root)
    return deep_merge(parent, data)


def read_mapping(source: Path | str | bytes, origin: str | None = None) -> dict[str, Any]:
    """Read a scenario into a plain mapping with ``extends:`` resolved.

    A :class:`~pathlib.Path` is a file on disk; ``str`` or ``bytes`` is text from outside (an
    upload, a form, a link), which may extend only the built-in scenarios.
    """
    if isinstance(source, Path):
        where = origin or str(source)
        if not _is_file(source):
            raise ScenarioError([Problem(where, "", "file_missing", {})])
        data = parse_yaml(read_file(source, where), where)
        return resolve_extends(data, source)
    where = origin or "<upload>"
    data = parse_yaml(decode_text(source, where), where)
    return resolve_extends(data, where)


# --------------------------------------------------------------------------------------------
# values: finite numbers, no boolean for a number, no lone surrogate, bounded depth
# --------------------------------------------------------------------------------------------
def _field_type(model: Any, key: Any) -> Any:
    """The annotation one step below ``model`` (a pydantic model, tuple[X, ...], dict[str, X])."""
    if isinstance(model, type) and issubclass(model, BaseModel):
        f = model.model_fields.get(key) if isinstance(key, str) else None
        return f.annotation if f is not None else None
    origin = typing.get_origin(model)
    args = [a for a in typing.get_args(model) if a is not Ellipsis]
    if origin in (tuple, list) and args and isinstance(key, int):
        return (
            args[0]
            if len(args) == 1 or typing.get_args(model)[-1] is Ellipsis
            else (args[key] if key < len(args) else None)
        )
    if origin is dict and len(args) == 2:
        return args[1]
    if args:  # a union (X | None): follow the member that is a model or a container
        for a in args:
            sub = _field_type(a, key)
            if sub is not None:
                return sub
    return None


def _expects_number(ann: Any) -> bool:
    """Whether the annotation wants a number (so a YAML boolean there is a mistake)."""
    if ann in (int, float):
        return True
    if typing.get_origin(ann) is typing.Literal:
        return all(isinstance(a, int | float) and not isinstance(a, bool) for a in typing.get_args(ann))
    args = [a for a in typing.get_args(ann) if a is not type(None)]
    return (
        bool(args)
        and typing.get_origin(ann) not in (tuple, list, dict)
        and all(_expects_number(a) for a in args)
    )


def _path(parent: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else str(key)


def check_values(data: Any, origin: str, model: Any) -> list[Problem]:
    """Problems of the raw values of ``data`` that pydantic would let through or crash on."""
    problems: list[Problem] = []

    def walk(node: Any, ann: Any, path: str, depth: int) -> None:
        if len(problems) >= 50:
            return
        if depth > MAX_DEPTH:
            problems.append(Problem(origin, path, "too_deep", {"line": "?", "column": "?", "max": MAX_DEPTH}))
            return
        if isinstance(node, bool):
            if _expects_number(ann):
                problems.append(Problem(origin, path, "bool_for_number", {"found": str(node).lower()}))
        elif isinstance(node, float):
            if not math.isfinite(node) or abs(node) > MAX_ABS_NUMBER:
                problems.append(
                    Problem(origin, path, "absurd_number", {"found": _short(node), "max": "1e12"})
                )
        elif isinstance(node, int):
            if abs(node) > MAX_INT:
                problems.append(
                    Problem(origin, path, "absurd_number", {"found": _short(node), "max": "1e12"})
                )
        elif isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                problems.append(Problem(origin, path, "lone_surrogate", {"line": "?", "column": "?"}))
        elif isinstance(node, Mapping):
            for key, val in node.items():
                if isinstance(key, str):
                    try:
                        key.encode("utf-8")
                    except UnicodeEncodeError:
                        problems.append(Problem(origin, path, "lone_surrogate", {"line": "?", "column": "?"}))
                        continue
                walk(val, _field_type(ann, key), _path(path, key), depth + 1)
        elif isinstance(node, list | tuple):
            for i, val in enumerate(node):
                walk(val, _field_type(ann, i), _path(path, i), depth + 1)

    walk(data, model, "", 0)
    return [
        Problem(p.file, p.path, p.kind, {**field_labels(model, split_path(p.path)), **p.ctx}) if p.path else p
        for p in problems
    ]
