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
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.params import ParamError, coerce, make_params

#: Folder of the named scenarios shipped with the package.
SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"

_TEXT_KEYS = ("title", "claim", "narrative")
_LIST_KEYS = ("notice", "try")
_SOURCE_KEYS = ("seed", "quote")
_ALLOWED_KEYS = ("title", "claim", "extends", "source", "params", "events", "narrative", "notice", "try", "opposite")


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
        if not path.is_file():
            raise ScenarioError(f"scenario file '{ref}' not found")
        return path.resolve()
    path = SCENARIO_DIR / f"{ref}.toml"
    if not path.is_file():
        raise ScenarioError(f"unknown scenario '{ref}'; known: {', '.join(list_scenarios()) or '(none)'}")
    return path.resolve()


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ScenarioError(f"{_show(path)}: cannot read: {e}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        msg = " ".join(str(e).split())
        if not re.search(r"\bline \d+", msg):
            msg += f" (line {text.count(chr(10)) + 1})"
        raise ScenarioError(f"{_show(path)}: malformed TOML: {msg}") from None


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
            clean[k] = coerce(k, v)
        except ParamError as e:
            raise ScenarioError(f"{where}: [params] {e}") from None
    return clean


def _check_events(path: Path, events: list[Any]) -> list[dict[str, Any]]:
    from sim.model import validate_events  # the model's own checks (imports mesa, so lazily)

    try:
        return validate_events(events)
    except ParamError as e:
        raise ScenarioError(f"{_show(path)}: [[events]] {e}") from None


def _check_event_sequence(params, events: list[dict[str, Any]], origins: tuple[str, ...]) -> None:
    """Apply the events in run order to the merged parameters, as the model will: the
    cross-field checks a single value cannot fail (e.g. yield_initial_frac at most
    yield_mature_frac) are caught here, naming the event's file, not mid-run."""
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

    parent = _load(_resolve(raw["extends"], path.parent), (*chain, path)) if "extends" in raw else None
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


__all__ = ["SCENARIO_DIR", "Scenario", "ScenarioError", "list_scenarios", "load_scenario"]
