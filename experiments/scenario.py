"""Scenario files: the debate's named positions as TOML.

A scenario is one TOML file in ``experiments/scenarios/`` (or anywhere, given by path).
Its name is the file stem. The schema::

    title = "Baseline, calibrated to 2025"          # required, string
    claim = "one sentence"                            # required, string
    extends = "baseline"                              # optional: name or path of another scenario
    opposite = "name"                                 # optional: the opposing position's name

    narrative = \"\"\"one paragraph\"\"\"                 # required, string
    notice = ["what the charts show and why", ...]    # required: "things to notice", list of strings
    try = ["an experiment with named parameters", ...]  # required: "things to try", list of strings

    [source]                                          # required unless extends provides it
    seed = "001_47c290813730d21c.txt"                 # seed file name (../shared/seeds/)
    quote = "short quote (translated where the seed is Chinese)"

    [params]                                          # overrides: only fields of sim.params.Params
    price_elasticity = 1.2

    [[events]]                                        # optional timed events, any number
    month = 13                                        # run month, 1 = first month (13: Jan 2026)
    set = { efficiency_shock_factor = 3.0 }           # fields of Params and their new values
    note = "why"                                      # optional

(In a real file the top-level keys must come before the first ``[table]``, as TOML requires.)

``extends`` merges: the parent's ``[params]`` overridden by the child's; events
concatenated, the parent's first; every text field (title, claim, source, narrative,
notice, try, opposite) inherited when the child leaves it out; ``[source]`` is merged
key by key. A relative path in ``extends`` is read from the extending file's folder.

Every problem raises :class:`ScenarioError` (a ``ValueError``) with a one-line message
that names the file, the key or line, and what is allowed. Parameter values are checked
by :func:`sim.params.coerce` and events by :func:`sim.model.validate_events`, the
model's own validation, so a scenario can never hold a value the model would refuse.
An event's month must also fall inside the run: :meth:`Scenario.check_horizon`.
"""

from __future__ import annotations

import copy
import errno
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.params import FIELDS, ParamError, coerce, make_params

#: Folder of the named scenarios shipped with the package.
SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"

_TEXT_KEYS = ("title", "claim", "narrative")
_LIST_KEYS = ("notice", "try")
_SOURCE_KEYS = ("seed", "quote")
_ALLOWED_KEYS = ("title", "claim", "extends", "source", "params", "events", "narrative", "notice", "try", "opposite")
#: Deepest nesting of arrays and tables in a scenario or sweep file (their schemas need 3).
MAX_TOML_NESTING = 8
#: TOML integers are 64-bit signed; tomllib reads any size, so larger ones are refused here.
TOML_INT_MIN, TOML_INT_MAX = -2**63, 2**63 - 1
#: Longest name, path or key quoted whole in a message; longer ones are cut, with their length given.
SHOWN_CHARS = 100


class ScenarioError(ValueError):
    """A scenario that cannot be loaded: the message is one line naming the file and key."""


@dataclass(frozen=True, eq=True)
class Scenario:
    """One loaded scenario, with ``extends`` already merged in."""

    name: str
    path: Path
    title: str
    claim: str
    source_seed: str
    source_quote: str
    params: dict[str, Any]
    events: list[dict[str, Any]]
    narrative: str
    notice: list[str]
    try_: list[str]
    opposite: str | None = None
    extends: str | None = None
    #: For each event, the file and index it came from (for error messages).
    event_origins: tuple[str, ...] = field(default=(), repr=False, compare=False)

    __hash__ = None  # holds dicts and lists

    def model_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``ComputeBubbleModel``: the params plus ``events``."""
        return {**copy.deepcopy(self.params), "events": copy.deepcopy(self.events)}

    def check_horizon(self, months: int) -> None:
        """Refuse events that would never happen in a run of ``months`` months."""
        for i, e in enumerate(self.events):
            if e["month"] > months:
                origin = self.event_origins[i] if i < len(self.event_origins) else f"{_show(self.path)}: event {i}"
                raise ScenarioError(
                    f"{origin}: month {e['month']} is outside the run's horizon; allowed: a month in "
                    f"[1, {months}] for a {months}-month run (or run with --months {e['month']} or more)")


def list_scenarios() -> list[str]:
    """Names of the shipped scenarios (file stems), "baseline" first, the rest sorted."""
    names = sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))
    return sorted(names, key=lambda n: (n != "baseline", n))


def load_scenario(name_or_path: str | os.PathLike) -> Scenario:
    """Load a scenario by name (``SCENARIO_DIR/<name>.toml``) or by path.

    Anything ending in ``.toml`` or containing a path separator is a path.
    """
    return _load(_resolve(name_or_path, None), ())


# ===== resolution and reading ===========================================================

def _show(path: Path) -> str:
    """A file as the user would name it: relative to the working folder when inside it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _is_path(ref: str) -> bool:
    return ref.lower().endswith(".toml") or "/" in ref or os.sep in ref or (os.altsep or "/") in ref


def _resolve(ref: str | os.PathLike, relative_to: Path | None) -> Path:
    """Path of a scenario name or path; ``relative_to`` is the extending file's folder."""
    if isinstance(ref, os.PathLike):
        ref = os.fspath(ref)
    if not isinstance(ref, str) or not ref.strip():
        raise ScenarioError(f"scenario name {ref!r} is not valid; allowed: a name ({', '.join(list_scenarios())}) "
                            "or a path to a .toml file")
    if _is_path(ref):
        path = Path(ref).expanduser()
        if not path.is_absolute() and relative_to is not None:
            path = relative_to / path
        if not _is_file(path, f"scenario file {clip(ref)!r}"):
            raise ScenarioError(f"scenario file {clip(ref)!r} not found")
        return path.resolve()
    path = SCENARIO_DIR / f"{ref}.toml"
    if len(path.name.encode()) > name_max():
        raise ScenarioError(f"unknown scenario {clip(ref)!r}: a name of {len(ref)} characters, too long for a file; "
                            f"known: {', '.join(list_scenarios()) or '(none)'}")
    if not _is_file(path, f"scenario name {clip(ref)!r}"):
        raise ScenarioError(f"unknown scenario {clip(ref)!r}; known: {', '.join(list_scenarios()) or '(none)'}")
    return path.resolve()


def _is_file(path: Path, what: str) -> bool:
    """``path.is_file()``, with the errors it lets through (a name too long for the file
    system, a loop of links, no permission) as a one-line :class:`ScenarioError`."""
    try:
        return path.is_file()
    except OSError as e:
        raise ScenarioError(f"{what}: {os_problem(e, path)}; allowed: an existing scenario name or .toml "
                            "file") from None


def os_problem(e: OSError, path: Path | str | None = None) -> str:
    """An OSError in a few words, without repeating a (possibly very long) path."""
    if e.errno == errno.ENAMETOOLONG:
        parts = Path(path).parts if path is not None else ()
        longest = max((len(p.encode()) for p in parts), default=0)
        size = f" ({longest} bytes in one part, at most {name_max()} allowed)" if longest > name_max() else ""
        return f"name too long for the file system{size}"
    return e.strerror or type(e).__name__


def name_max() -> int:
    try:
        return os.pathconf(".", "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        return 255


def clip(text: Any, limit: int = SHOWN_CHARS) -> str:
    """``text`` as given if short, else its start and its length (messages stay one readable line)."""
    text = str(text)
    if len(text) <= limit:
        return text
    head = max(limit * 2 // 3, 1)
    return f"{text[:head]}...{text[len(text) - max(limit - head, 0):]} ({len(text)} characters)"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ScenarioError(f"{_show(path)}: cannot read: {e}") from None
    return parse_toml(text, _show(path), ScenarioError)


class _Overflowed(float):
    """A TOML float literal beyond a float's range (tomllib reads ``1e400`` as inf), with its text."""

    text = ""


def _parse_float(text: str) -> float:
    value = float(text)
    if math.isinf(value) and "inf" not in text:
        value = _Overflowed(value)
        value.text = text
    return value


#: Strings, comments, brackets and line ends of a TOML text (for counting nesting before parsing).
_TOML_TOKENS = re.compile(
    r'"""(?:\\.|[^\\])*?"""'      # multi-line basic string
    r"|'''.*?'''"                 # multi-line literal string
    r'|"(?:\\.|[^"\\\n])*"'       # basic string
    r"|'[^'\n]*'"                 # literal string
    r"|#[^\n]*"                   # comment
    r"|[\[\]{}\n]", re.DOTALL)


def _deep_line(text: str, limit: int) -> int | None:
    """The line where arrays and inline tables first nest deeper than ``limit``, or None."""
    depth, line = 0, 1
    for m in _TOML_TOKENS.finditer(text):
        tok = m.group()
        if tok in "[{":
            depth += 1
            if depth > limit:
                return line
        elif tok in "]}":
            depth = max(0, depth - 1)
        line += tok.count("\n")
    return None


def parse_toml(text: str, where: str, error: type[ValueError]) -> dict[str, Any]:
    """Parse a scenario or sweep file's text; every problem is one line ``error(f"{where}: ...")``.

    Besides malformed TOML this refuses what tomllib reads without complaint but nothing
    downstream can hold: nesting deeper than :data:`MAX_TOML_NESTING` (very deep nesting
    would exhaust the parser's recursion), float literals that overflow to infinity
    (``1e400``) and integers outside TOML's 64-bit range, each named by key and value.
    """
    line = _deep_line(text, MAX_TOML_NESTING)
    if line is not None:
        key = re.match(r"\s*([\w.\-\"' ]+?)\s*=", text.split("\n")[line - 1])
        at = f"key {clip(key.group(1))!r}" if key else "a value"
        raise error(f"{where}: line {line}: {at} nests arrays or inline tables more than {MAX_TOML_NESTING} deep; "
                    f"allowed: at most {MAX_TOML_NESTING} levels")
    try:
        raw = tomllib.loads(text, parse_float=_parse_float)
    except tomllib.TOMLDecodeError as e:
        msg = " ".join(str(e).split())
        if not re.search(r"\bline \d+", msg):
            msg += f" (line {text.count(chr(10)) + 1})"
        raise error(f"{where}: malformed TOML: {msg}") from None
    except RecursionError:
        raise error(f"{where}: nested too deeply to read; allowed: at most {MAX_TOML_NESTING} levels of arrays "
                    "and tables") from None
    except ValueError as e:  # e.g. an integer literal beyond Python's digit limit for int()
        raise error(f"{where}: malformed TOML: {clip(' '.join(str(e).split()), 200)}") from None
    _check_toml_values(raw, where, error)
    return raw


def _check_toml_values(raw: dict[str, Any], where: str, error: type[ValueError]) -> None:
    """Walk the parsed file (without recursion): nesting depth, overflowing floats, 64-bit integers."""
    stack: list[tuple[str, Any, int]] = [("", raw, 0)]
    while stack:
        key, value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_TOML_NESTING:
                raise error(f"{where}: key {clip(key)!r} is nested {depth} deep; allowed: at most "
                            f"{MAX_TOML_NESTING} levels of tables and arrays")
            items = value.items() if isinstance(value, dict) else ((f"[{i}]", v) for i, v in enumerate(value))
            for k, v in items:
                sub = key + k if k.startswith("[") else f"{key}.{k}" if key else k
                stack.append((sub, v, depth + 1))
        elif isinstance(value, _Overflowed):
            raise error(f"{where}: key {clip(key)!r} = {clip(value.text)}: the number overflows (a float's "
                        "magnitude is at most 1.8e308); allowed: a finite number")
        elif isinstance(value, int) and not isinstance(value, bool) and not TOML_INT_MIN <= value <= TOML_INT_MAX:
            digits = len(str(abs(value))) if value.bit_length() < 10_000 else int(value.bit_length() * 0.30103) + 1
            raise error(f"{where}: key {clip(key)!r} is an integer of {digits} digits, beyond TOML's 64-bit range; "
                        f"allowed: {TOML_INT_MIN} to {TOML_INT_MAX}")


def field_allowed(name: str) -> str:
    """What a field of ``Params`` allows, e.g. "a number in [0.1, 3] (-dlnQ/dlnP)"."""
    f = FIELDS[name]
    m = f.metadata
    kind = "an integer" if f.type in ("int", int) else "a number"
    return f"{kind} in [{m['min']:g}, {m['max']:g}] ({m['unit']})"


def coerce_file_value(name: str, value: Any) -> Any:
    """A parameter value read from a TOML file: as :func:`sim.params.coerce`, but a quoted
    string is refused (TOML has real numbers, so ``"1.4"`` in a file is a mistake; strings
    are for ``--set key=value`` on the command line)."""
    if isinstance(value, str) and name in FIELDS:
        raise ParamError(f"parameter '{name}': value {clip(value)!r} is a quoted string; allowed: "
                         f"{field_allowed(name)}, written without quotes")
    return coerce(name, value)


# ===== checks of one file =================================================================

def _type_name(t: type) -> str:
    return {str: "a string", dict: "a table", list: "an array"}[t]


def _check_types(path: Path, raw: dict[str, Any]) -> None:
    where = _show(path)
    unknown = [k for k in raw if k not in _ALLOWED_KEYS]
    if unknown:
        raise ScenarioError(f"{where}: unknown key '{unknown[0]}'; allowed: {', '.join(_ALLOWED_KEYS)}")
    expected = {"title": str, "claim": str, "extends": str, "narrative": str, "opposite": str,
                "source": dict, "params": dict, "events": list, "notice": list, "try": list}
    for key, t in expected.items():
        if key in raw and not isinstance(raw[key], t):
            raise ScenarioError(f"{where}: key '{key}' is {_describe(raw[key])}; allowed: {_type_name(t)}")
    for key in (*_TEXT_KEYS, "extends", "opposite"):
        if key in raw and not raw[key].strip():
            raise ScenarioError(f"{where}: key '{key}' is empty; allowed: a non-empty string")
    for key in _LIST_KEYS:
        for i, item in enumerate(raw.get(key, [])):
            if not isinstance(item, str) or not item.strip():
                raise ScenarioError(f"{where}: key '{key}' item {i} is {_describe(item)}; allowed: a non-empty string")
    if "source" in raw:
        src = raw["source"]
        bad = [k for k in src if k not in _SOURCE_KEYS]
        if bad:
            raise ScenarioError(f"{where}: unknown key 'source.{bad[0]}'; allowed: {', '.join(_SOURCE_KEYS)}")
        for k in _SOURCE_KEYS:
            if k in src and (not isinstance(src[k], str) or not src[k].strip()):
                raise ScenarioError(f"{where}: key 'source.{k}' is {_describe(src[k])}; allowed: a non-empty string")


def _describe(value: Any) -> str:
    kind = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", dict: "a table",
            list: "an array"}.get(type(value), type(value).__name__)
    if isinstance(value, str) and not value.strip():
        return "an empty string"
    return kind if isinstance(value, (dict, list)) else f"{kind} ({value!r})"


def _check_params(path: Path, params: dict[str, Any]) -> dict[str, Any]:
    where = _show(path)
    clean = {}
    for k, v in params.items():
        try:
            clean[k] = coerce_file_value(k, v)
        except ParamError as e:
            raise ScenarioError(f"{where}: [params] {e}") from None
    return clean


def _check_events(path: Path, events: list[Any]) -> list[dict[str, Any]]:
    from sim.model import validate_events  # the model's own checks (imports mesa, so lazily)

    try:
        for i, e in enumerate(events):  # the model takes strings (from sliders, --set); a file may not
            if isinstance(e, dict) and isinstance(e.get("set"), dict):
                for k, v in e["set"].items():
                    try:
                        coerce_file_value(k, v)
                    except ParamError as err:
                        raise ParamError(f"event {i}: {err}") from None
        return validate_events(events)
    except ParamError as e:
        raise ScenarioError(f"{_show(path)}: [[events]] {e}") from None


def _check_event_sequence(params, events: list[dict[str, Any]], origins: tuple[str, ...]) -> None:
    """Apply the events in run order to the merged parameters, as the model will, so any
    error an event's values would raise mid-run is caught here, naming the event's file."""
    for i in sorted(range(len(events)), key=lambda i: events[i]["month"]):
        try:
            params = params.with_overrides(**events[i]["set"])
        except ParamError as e:
            raise ScenarioError(f"{origins[i]}: {e}") from None


# ===== loading with extends ================================================================

def _load(path: Path, chain: tuple[Path, ...]) -> Scenario:
    if path in chain:
        cycle = " -> ".join(p.stem for p in (*chain[chain.index(path):], path))
        raise ScenarioError(f"{_show(chain[-1])}: key 'extends' makes a cycle: {cycle}")
    raw = _read_toml(path)
    _check_types(path, raw)
    where = _show(path)
    params = _check_params(path, raw.get("params", {}))
    events = _check_events(path, raw.get("events", []))
    origins = tuple(f"{where}: event {i}" for i in range(len(events)))

    parent = None
    if "extends" in raw:
        try:
            parent_path = _resolve(raw["extends"], path.parent)
        except ScenarioError as e:
            raise ScenarioError(f"{where}: key 'extends' = {clip(raw['extends'])!r}: {e}") from None
        parent = _load(parent_path, (*chain, path))
    inherit = (lambda attr: getattr(parent, attr)) if parent else (lambda attr: None)

    source = {"seed": inherit("source_seed"), "quote": inherit("source_quote"), **raw.get("source", {})}
    merged: dict[str, Any] = {k: raw.get(k, inherit(k)) for k in (*_TEXT_KEYS, "notice", "opposite")}
    merged["try"] = raw.get("try", inherit("try_"))
    via = " (nor does 'extends' provide it)" if parent else ""
    for key in (*_TEXT_KEYS, *_LIST_KEYS):
        if merged[key] is None:
            raise ScenarioError(f"{where}: missing required key '{key}'{via}")
    for k in _SOURCE_KEYS:
        if source[k] is None:
            raise ScenarioError(f"{where}: missing required key 'source.{k}'{via}")

    all_params = {**(parent.params if parent else {}), **params}
    try:
        base = make_params(all_params)  # cross-field checks on the merged overrides
    except ParamError as e:
        raise ScenarioError(f"{where}: [params] {e}") from None
    _check_event_sequence(base, (parent.events if parent else []) + events,
                          (parent.event_origins if parent else ()) + origins)
    return Scenario(
        name=path.stem, path=path, title=merged["title"].strip(), claim=merged["claim"].strip(),
        source_seed=source["seed"].strip(), source_quote=source["quote"].strip(), params=all_params,
        events=(parent.events if parent else []) + events, narrative=merged["narrative"].strip(),
        notice=list(merged["notice"]), try_=list(merged["try"]), opposite=merged["opposite"],
        extends=raw.get("extends"), event_origins=(parent.event_origins if parent else ()) + origins)


__all__ = ["SCENARIO_DIR", "Scenario", "ScenarioError", "list_scenarios", "load_scenario", "parse_toml",
           "coerce_file_value", "field_allowed", "clip", "os_problem", "name_max", "MAX_TOML_NESTING"]
