"""What the app may read: the project's scenarios, and the folders named at start-up.

``computebubble app --scenarios DIR --sweeps DIR`` (each repeatable) hands the app its
folders through the environment (:data:`ENV_SCENARIOS`, :data:`ENV_SWEEPS`, JSON lists of
absolute paths); with no ``--sweeps`` the sweeps root is ``out/sweeps`` under the folder
the app was started in. The pages offer what is found there as lists and open only an
entry of a list: no page ever turns a typed or linked string into a server path.

Every file offered is resolved (:meth:`pathlib.Path.resolve`, so symlinks are followed)
and must stay inside its root (:func:`inside`). A scenario in a start-up folder may
``extends`` only a project scenario or a file inside an allowed folder. An uploaded
scenario is parsed from its bytes by the project's own loader and may ``extends`` only a
project scenario. Error messages name a file as the list does, never by its server path,
and a name that is not in a list gets the same answer whether or not some file has it.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tempfile
import tomllib
from pathlib import Path, PurePath

from experiments.scenario import SCENARIO_DIR, Scenario, ScenarioError, list_scenarios, load_scenario

ENV_SCENARIOS = "COMPUTEBUBBLE_APP_SCENARIOS"
ENV_SWEEPS = "COMPUTEBUBBLE_APP_SWEEPS"
#: The sweeps root when none is named: out/sweeps under the folder the app started in.
DEFAULT_SWEEPS = Path("out") / "sweeps"
#: An uploaded scenario file may hold at most this many bytes.
MAX_UPLOAD_BYTES = 256 * 1024
#: How deep under a sweeps root the Sweeps page looks for sweep folders, and how many it lists.
SWEEP_DEPTH = 3
MAX_SWEEPS = 500
#: A value from a link or a file name is shown at most this long.
SHOW_CHARS = 80


class SourceError(ValueError):
    """A request for something the app does not serve; the message names no server path."""


def shown(value: object) -> str:
    """A value from a link or a file, cut to :data:`SHOW_CHARS` characters, for a message."""
    text = str(value)
    return text if len(text) <= SHOW_CHARS else text[:SHOW_CHARS - 1] + "…"


def unknown_scenario(name: object) -> SourceError:
    return SourceError(f"unknown scenario '{shown(name)}'; choose one of the list")


# ===== paths =====================================================================================

def inside(root: str | os.PathLike, relative: str | os.PathLike) -> Path:
    """``root/relative`` resolved, if it stays inside ``root``; :class:`SourceError` otherwise.

    Refused: an empty or absolute ``relative``, any ``..`` part, a NUL, and anything
    whose resolved path (symlinks followed) leaves the resolved root. The message is the
    same whether or not the file exists.
    """
    text = os.fspath(relative)
    refused = SourceError(f"'{shown(text)}' is not inside the app's folders")
    if not text or "\x00" in text or "\\" in text:
        raise refused
    rel = PurePath(text)
    if rel.is_absolute() or text.startswith("~") or any(part == ".." for part in rel.parts):
        raise refused
    base = Path(root).resolve()
    try:
        path = (base / rel).resolve()
    except (OSError, RuntimeError):   # a symlink loop
        raise refused from None
    if not path.is_relative_to(base):
        raise refused
    return path


def _roots(var: str, default: list[Path]) -> list[Path]:
    """The folders named in environment variable ``var`` (a JSON list), resolved; else ``default``."""
    raw = os.environ.get(var)
    folders = default
    if raw:
        try:
            folders = [Path(p) for p in json.loads(raw) if isinstance(p, str) and p]
        except (ValueError, TypeError):
            folders = default
    out: list[Path] = []
    for f in folders:
        r = Path(f).expanduser().resolve()
        if r not in out:
            out.append(r)
    return out


def scenario_roots() -> list[Path]:
    """The start-up scenario folders (the project's own folder is always served as well)."""
    return _roots(ENV_SCENARIOS, [])


def sweep_roots() -> list[Path]:
    return _roots(ENV_SWEEPS, [Path.cwd() / DEFAULT_SWEEPS])


def _scrub(message: str, replacements: list[tuple[Path, str]]) -> str:
    """``message`` with each folder or file (absolute, or relative to the working folder as
    the loader shows it) named by its label instead."""
    pairs = []
    for folder, label in replacements:
        pairs.append((str(folder), label))
        try:
            rel = str(folder.relative_to(Path.cwd()))
        except ValueError:
            continue
        if rel not in ("", "."):
            pairs.append((rel, label))
    for form, label in sorted(pairs, key=lambda p: -len(p[0])):   # longest first: a file before its folder
        pattern = re.compile(r"(?<![\w.~/-])" + re.escape(form) + r"(/|(?![\w.-]))")
        message = pattern.sub(lambda m: (label + "/" if label else "") if m.group(1) else (label or "."), message)
    return message


def _scrubbed(sc: Scenario, replacements: list[tuple[Path, str]], display: str) -> Scenario:
    """The scenario with its server path and the event origins in its messages replaced."""
    return dataclasses.replace(sc, path=Path(display),
                               event_origins=tuple(_scrub(o, replacements) for o in sc.event_origins))


# ===== scenarios ================================================================================

def scenario_files() -> dict[str, Path]:
    """Every scenario the app serves, name -> resolved file: the project's first (baseline
    leading), then each start-up folder's ``*.toml`` in name order. A name already taken
    is prefixed with its folder's name."""
    out: dict[str, Path] = {name: (SCENARIO_DIR / f"{name}.toml").resolve() for name in list_scenarios()}
    for root in scenario_roots():
        if not root.is_dir():
            continue
        for p in sorted(root.glob("*.toml")):
            try:
                path = inside(root, p.name)
            except SourceError:
                continue      # a symlink pointing out of the folder
            if not path.is_file() or path in out.values():
                continue
            name = p.stem
            if name in out:
                name = f"{root.name}/{p.stem}"
            n = 2
            while name in out:
                name, n = f"{root.name}-{n}/{p.stem}", n + 1
            out[name] = path
    return out


def scenario_names() -> list[str]:
    return list(scenario_files())


def _labels() -> list[tuple[Path, str]]:
    return [(root, "") for root in scenario_roots()]


def _check_extends(path: Path, allowed: list[Path], seen: tuple[Path, ...] = ()) -> None:
    """A start-up folder's file may extend a project scenario (by name) or a file inside an allowed folder."""
    if path in seen or len(seen) > 32:
        return            # a cycle: the loader says so
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return            # the loader reports it, with the folder scrubbed
    ref = raw.get("extends")
    if not isinstance(ref, str) or not ref.strip():
        return
    if not (ref.lower().endswith(".toml") or "/" in ref or os.sep in ref):
        return            # a name: the project's scenarios folder
    target = Path(ref).expanduser()
    target = (target if target.is_absolute() else path.parent / target).resolve()
    if not any(target.is_relative_to(r) for r in allowed):
        raise SourceError(f"{path.name}: key 'extends' names a file outside the app's folders; allowed: the name "
                          "of a project scenario or a file beside this one")
    _check_extends(target, allowed, (*seen, path))


def load_named(name: str) -> Scenario:
    """The scenario called ``name`` in :func:`scenario_files`; :class:`SourceError` for any other."""
    files = scenario_files()
    if not isinstance(name, str) or name not in files:
        raise unknown_scenario(name)
    path = files[name]
    if path.parent == SCENARIO_DIR.resolve():
        return load_scenario(path.stem)
    roots = scenario_roots()
    _check_extends(path, [*roots, SCENARIO_DIR.resolve()])
    try:
        sc = load_scenario(path)
    except ScenarioError as e:
        raise ScenarioError(_scrub(str(e), _labels())) from None
    return _scrubbed(sc, _labels(), path.name)


def upload_display_name(filename: str) -> str:
    """An uploaded file's name as the page shows it: the last part only, cut short."""
    name = PurePath(str(filename).replace("\\", "/")).name or "uploaded.toml"
    return shown(name)


def load_upload(filename: str, data: bytes) -> Scenario:
    """A scenario from an uploaded file's bytes, read by the project's loader.

    It may ``extends`` only a project scenario by name; anything it names is never
    looked up on the server. Errors name the file as it was uploaded.
    """
    display = upload_display_name(filename)
    if len(data) > MAX_UPLOAD_BYTES:
        raise SourceError(f"{display}: {len(data):,} bytes; allowed: a scenario file of at most "
                          f"{MAX_UPLOAD_BYTES // 1024} kB")
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        raw = None        # the loader gives the message
    if raw is not None and "extends" in raw:
        ref = raw["extends"]
        if not isinstance(ref, str) or ref not in list_scenarios():
            raise SourceError(f"{display}: key 'extends' is '{shown(ref)}'; allowed in an uploaded file: the name of "
                              f"a project scenario ({', '.join(list_scenarios())})")
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", PurePath(display).stem).strip("-")[:60] or "uploaded"
    with tempfile.TemporaryDirectory(prefix="computebubble-upload-") as tmp:
        folder = Path(tmp).resolve()
        path = folder / f"{stem}.toml"
        path.write_bytes(data)
        replace = [(path, display), (folder, "")]
        try:
            sc = load_scenario(path)
        except ScenarioError as e:
            raise ScenarioError(_scrub(str(e), replace)) from None
        return _scrubbed(sc, replace, display)


# ===== sweeps ===================================================================================

def sweep_folders() -> dict[str, Path]:
    """Every sweep folder (one holding ``sweep.json``) under the sweeps roots, label -> resolved
    folder. Labels are paths relative to the root, prefixed with the root's name when
    there are several roots; the root itself is labelled by its name."""
    roots = [r for r in sweep_roots() if r.is_dir()]
    out: dict[str, Path] = {}
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            rel = Path(dirpath).relative_to(root)
            if len(rel.parts) >= SWEEP_DEPTH:
                dirnames[:] = []
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            if "sweep.json" not in filenames:
                continue
            try:
                folder = inside(root, rel) if rel.parts else root
                inside(root, rel / "sweep.json")
            except SourceError:
                continue
            label = rel.as_posix() if rel.parts else root.name
            if len(roots) > 1 and rel.parts:
                label = f"{root.name}/{label}"
            base, n = label, 2
            while label in out:
                label, n = f"{base} ({n})", n + 1
            out[label] = folder
            if len(out) >= MAX_SWEEPS:
                return out
    return out


def sweep_root_of(folder: Path) -> Path:
    return next(r for r in sweep_roots() if folder.is_relative_to(r))


def check_sweep_files(label: str, folder: Path) -> None:
    """Every file the Sweeps page reads from ``folder`` must stay inside its root."""
    root = sweep_root_of(folder)
    runs = folder / "runs"
    names = ["sweep.json"] + ([f"runs/{p.name}" for p in runs.iterdir()] if runs.is_dir() else [])
    for n in names:
        try:
            inside(root, (folder / n).relative_to(root))
        except SourceError:
            raise SourceError(f"'{shown(label)}' holds a file that points outside the sweeps folder; not opened") \
                from None


def scrub_sweep_message(message: str, label: str, folder: Path) -> str:
    return _scrub(message, [(folder, label), *[(r, r.name) for r in sweep_roots()]])


__all__ = ["ENV_SCENARIOS", "ENV_SWEEPS", "MAX_UPLOAD_BYTES", "SourceError", "inside", "load_named", "load_upload",
           "scenario_files", "scenario_names", "scenario_roots", "shown", "sweep_folders", "sweep_roots",
           "unknown_scenario"]
