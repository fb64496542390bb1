"""What the app may read, without a browser: paths stay inside their roots, scenarios
and sweeps come only from lists, uploads are read from bytes, links are checked, and
texts from files are rendered as text."""

from __future__ import annotations

import json
import os

import pytest

from experiments.scenario import ScenarioError
from viz import sources, text
from viz.app import read_query

XSS = 'XSS {{ 7*7 }} <img src=x onerror="window.__xss=1">'
SCENARIO = f"""title = '{XSS}'
claim = '{XSS}'
extends = "baseline"
"""


@pytest.fixture
def roots(tmp_path, monkeypatch):
    """A scenarios root and a sweeps root named at start-up, and a secret file beside them."""
    scen, sweeps = tmp_path / "scen", tmp_path / "sweeps"
    scen.mkdir()
    sweeps.mkdir()
    (tmp_path / "secret.toml").write_text("title = 'secret'\n")
    monkeypatch.setenv(sources.ENV_SCENARIOS, json.dumps([str(scen)]))
    monkeypatch.setenv(sources.ENV_SWEEPS, json.dumps([str(sweeps)]))
    return scen, sweeps


# ----- the path helper ------------------------------------------------------------------------

def test_inside_accepts_a_file_in_the_root(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.toml").write_text("")
    assert sources.inside(tmp_path, "a/x.toml") == (tmp_path / "a" / "x.toml").resolve()
    assert sources.inside(tmp_path, "missing.toml") == (tmp_path / "missing.toml").resolve()


@pytest.mark.parametrize("bad", ["../secret.toml", "a/../../secret.toml", "..", "/etc/passwd", "~/x.toml", "",
                                 "a\\..\\..\\x", "x\x00.toml"])
def test_inside_refuses_what_leaves_the_root(tmp_path, bad):
    root = tmp_path / "root"
    root.mkdir()
    (root / "a").mkdir()
    with pytest.raises(sources.SourceError, match="not inside the app's folders"):
        sources.inside(root, bad)


def test_inside_refuses_a_symlink_pointing_out_and_keeps_one_pointing_in(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "secret.toml").write_text("")
    (root / "real.toml").write_text("")
    (root / "out.toml").symlink_to(tmp_path / "secret.toml")
    (root / "in.toml").symlink_to(root / "real.toml")
    (root / "loop.toml").symlink_to(root / "loop.toml")
    with pytest.raises(sources.SourceError):
        sources.inside(root, "out.toml")
    with pytest.raises(sources.SourceError):
        sources.inside(root, "loop.toml")
    assert sources.inside(root, "in.toml") == (root / "real.toml").resolve()


def test_inside_says_the_same_whether_or_not_the_file_exists(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "there.toml").write_text("")
    messages = set()
    for ref in ("../there.toml", "../nowhere.toml"):
        with pytest.raises(sources.SourceError) as e:
            sources.inside(root, ref)
        messages.add(str(e.value).replace(ref, "X"))
    assert len(messages) == 1


# ----- scenarios ------------------------------------------------------------------------------

def test_scenarios_come_from_the_project_and_the_startup_folders_only(roots, tmp_path):
    scen, _ = roots
    (scen / "mine.toml").write_text(SCENARIO)
    (scen / "baseline.toml").write_text(SCENARIO)             # a name the project has: prefixed
    (scen / "leak.toml").symlink_to(tmp_path / "secret.toml")  # points out: not offered
    files = sources.scenario_files()
    assert "baseline" in files and "physics-wall" in files
    assert files["mine"] == (scen / "mine.toml").resolve()
    assert files["scen/baseline"] == (scen / "baseline.toml").resolve()
    assert "leak" not in files and "secret" not in files
    sc = sources.load_named("mine")
    assert sc.title == XSS and sc.claim == XSS           # kept as written, never evaluated
    assert str(tmp_path) not in str(sc.path)


@pytest.mark.parametrize("name", ["/etc/passwd", "../../etc/passwd", "/etc/shadow", "secret", "../secret.toml",
                                  "nowhere", "experiments/scenarios/baseline.toml"])
def test_a_name_not_in_the_list_gets_one_answer(roots, name):
    with pytest.raises(sources.SourceError) as e:
        sources.load_named(name)
    assert str(e.value) == f"unknown scenario '{name}'; choose one of the list"


def test_a_startup_file_may_not_extend_a_file_outside(roots, tmp_path):
    scen, _ = roots
    (scen / "sneaky.toml").write_text("extends = '../secret.toml'\n")
    with pytest.raises(sources.SourceError, match="outside the app's folders") as e:
        sources.load_named("sneaky")
    assert str(tmp_path) not in str(e.value)


def test_a_broken_startup_file_is_named_without_its_folder(roots, tmp_path):
    scen, _ = roots
    (scen / "broken.toml").write_text("title = 'broken\n")
    with pytest.raises(ScenarioError, match="broken.toml: malformed TOML") as e:
        sources.load_named("broken")
    assert str(tmp_path) not in str(e.value)


def test_an_upload_is_read_from_its_bytes():
    sc = sources.load_upload("C:\\Users\\me\\xss.toml", SCENARIO.encode())
    assert sc.title == XSS and sc.name == "xss"
    assert sc.params == sources.load_named("baseline").params
    assert "computebubble-upload" not in str(sc.path) + "".join(sc.event_origins)


@pytest.mark.parametrize("ref", ["/etc/passwd", "../../etc/shadow.toml", "secret.toml", "nowhere"])
def test_an_upload_may_extend_only_a_project_scenario(ref):
    data = f"title = 't'\nclaim = 'c'\nextends = '{ref}'\n".encode()
    with pytest.raises(sources.SourceError, match="allowed in an uploaded file: the name of a project scenario"):
        sources.load_upload("x.toml", data)


def test_a_broken_upload_names_the_file_not_the_server_path():
    with pytest.raises(ScenarioError) as e:
        sources.load_upload("broken.toml", b"title = 'broken\nclaim = 3\n")
    assert str(e.value).startswith("broken.toml: malformed TOML")
    assert "/tmp" not in str(e.value) and "computebubble-upload" not in str(e.value)
    with pytest.raises(sources.SourceError, match="at most 256 kB"):
        sources.load_upload("big.toml", b"#" * (sources.MAX_UPLOAD_BYTES + 1))


# ----- sweeps ---------------------------------------------------------------------------------

def test_sweeps_are_listed_from_the_roots_and_symlinks_out_are_not(roots, tmp_path):
    _, sweeps = roots
    for rel in ("a", "deep/b"):
        (sweeps / rel).mkdir(parents=True)
        (sweeps / rel / "sweep.json").write_text("{}")
    (sweeps / "c").mkdir()
    (tmp_path / "elsewhere.json").write_text("{}")
    (sweeps / "c" / "sweep.json").symlink_to(tmp_path / "elsewhere.json")
    (sweeps / "notasweep").mkdir()
    found = sources.sweep_folders()
    assert set(found) == {"a", "deep/b"}
    (sweeps / "a" / "runs").mkdir()
    (sweeps / "a" / "runs" / "part-1.parquet").symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(sources.SourceError, match="points outside"):
        sources.check_sweep_files("a", found["a"])
    msg = sources.scrub_sweep_message(f"'{found['a']}' holds no stored runs", "a", found["a"])
    assert msg == "'a' holds no stored runs"


def test_the_default_sweeps_root_is_out_sweeps_here(monkeypatch, tmp_path):
    monkeypatch.delenv(sources.ENV_SWEEPS, raising=False)
    monkeypatch.chdir(tmp_path)
    assert sources.sweep_roots() == [(tmp_path / "out" / "sweeps").resolve()]
    assert sources.sweep_folders() == {}


# ----- links and texts ------------------------------------------------------------------------

def test_link_settings_are_checked_and_named():
    good, bad = read_query("?scenario=physics-wall&seed=3&months=120&speed=max&tab=Compare")
    assert good == {"scenario": "physics-wall", "seed": 3, "months": 120, "speed": "max", "tab": "Compare"}
    assert bad == []
    for query, key, value in (("seed=abc", "seed", "abc"), ("seed=-1", "seed", "-1"), ("months=1e3", "months", "1e3"),
                              ("months=0", "months", "0"), ("months=181", "months", "181"),
                              ("speed=fast", "speed", "fast"), ("scenario=/etc/passwd", "scenario", "/etc/passwd")):
        good, bad = read_query(query)
        assert good == {} and len(bad) == 1, query
        assert f"'{key}'" in bad[0] and f"'{value}'" in bad[0] and ("allowed" in bad[0] or "choose" in bad[0])


def _strings(el) -> list:
    """Every string child in an element tree (what the browser makes text nodes of)."""
    out = []
    for c in el.kwargs.get("children", []):
        out += [c] if isinstance(c, str) else _strings(c)
    return out


def test_prose_keeps_file_text_as_text():
    blocks = text.blocks(f"# {XSS}\n\n- **{XSS}**\n- `{XSS}`\n\n> {XSS}\n\n{XSS}")
    strings = [s for b in blocks for s in _strings(b)]
    assert strings.count(XSS) == 5          # each one verbatim, as a text node
    tags = {b.kwargs["tag"] for b in blocks}
    assert tags == {"h2", "ul", "blockquote", "p"}
    assert not any("unsafe_innerHTML" in b.kwargs or "v_html" in b.kwargs for b in blocks)
