"""Scenario files: the schema, ``extends``, and one-line errors that name file and key."""

import textwrap

import pytest

from experiments.scenario import SCENARIO_DIR, Scenario, ScenarioError, list_scenarios, load_scenario
from sim.model import ComputeBubbleModel
from sim.params import FIELDS

FULL = """
title = "{title}"
claim = "a claim"
narrative = "a paragraph"
notice = ["one", "two"]
try = ["set price_elasticity = 2"]
[source]
seed = "001_47c290813730d21c.txt"
quote = "a quote"
"""


def write(tmp_path, name, text):
    path = tmp_path / f"{name}.toml"
    path.write_text(textwrap.dedent(text))
    return path


def one_line_error(ref, *needles):
    with pytest.raises(ScenarioError) as e:
        load_scenario(str(ref))
    msg = str(e.value)
    assert "\n" not in msg, msg
    for n in needles:
        assert n in msg, (n, msg)
    return msg


# ===== shipped scenarios ==========================================================================

def test_baseline_is_listed_first_and_loads():
    names = list_scenarios()
    assert names[0] == "baseline"
    s = load_scenario("baseline")
    assert isinstance(s, Scenario) and s.name == "baseline" and s.path == SCENARIO_DIR / "baseline.toml"
    assert s.title and s.claim and s.narrative and s.source_quote
    assert s.source_seed.startswith("001_")
    assert len(s.notice) == 3 and len(s.try_) == 3
    assert s.params == {} and s.events == []
    assert s.model_kwargs() == {"events": []}


def test_baseline_try_items_name_real_parameters():
    s = load_scenario("baseline")
    for item in s.try_:
        assert any(name in item for name in FIELDS), item


@pytest.mark.parametrize("name", list_scenarios())
def test_every_shipped_scenario_loads_and_builds(name):
    s = load_scenario(name)
    assert set(s.params) <= set(FIELDS)
    months = max([e["month"] for e in s.events] + [1])
    s.check_horizon(months)
    m = ComputeBubbleModel(seed=1, **s.model_kwargs())
    m.step()
    assert len(m.figures) == 1


def test_scenario_is_frozen():
    s = load_scenario("baseline")
    with pytest.raises(AttributeError):
        s.title = "x"


# ===== extends =====================================================================================

def test_extends_merges_params_events_and_text(tmp_path):
    write(tmp_path, "parent", FULL.format(title="Parent") + """
        [params]
        price_elasticity = 1.5
        power_build_multiplier = 0.5
        [[events]]
        month = 3
        set = { funding_freeze_month = 10 }
        note = "parent's"
        """)
    child = write(tmp_path, "child", """
        extends = "parent.toml"
        title = "Child"
        opposite = "parent"
        [params]
        power_build_multiplier = 2
        [[events]]
        month = 6
        set = { efficiency_shock_factor = 3.0 }
        """)
    s = load_scenario(str(child))
    assert s.name == "child" and s.extends == "parent.toml" and s.opposite == "parent"
    assert s.title == "Child"
    assert s.claim == "a claim" and s.narrative == "a paragraph" and s.source_quote == "a quote"
    assert s.notice == ["one", "two"] and s.try_ == ["set price_elasticity = 2"]
    assert s.params == {"price_elasticity": 1.5, "power_build_multiplier": 2.0}
    assert [e["month"] for e in s.events] == [3, 6]  # parent's first
    assert s.events[0]["note"] == "parent's"
    kwargs = s.model_kwargs()
    assert kwargs["events"] == s.events and kwargs["price_elasticity"] == 1.5
    kwargs["events"].append({"month": 1, "set": {}})
    assert len(s.events) == 2  # model_kwargs returns a copy


def test_extends_by_name_reaches_the_shipped_baseline(tmp_path):
    path = write(tmp_path, "mine", """
        extends = "baseline"
        title = "Mine"
        [params]
        price_elasticity = 0.8
        """)
    s = load_scenario(str(path))
    base = load_scenario("baseline")
    assert s.claim == base.claim and s.source_seed == base.source_seed
    assert s.params == {"price_elasticity": 0.8}


def test_extends_cycle_is_named(tmp_path):
    write(tmp_path, "a", 'extends = "b.toml"\n')
    write(tmp_path, "b", 'extends = "a.toml"\n')
    one_line_error(tmp_path / "a.toml", "cycle", "a -> b -> a", "b.toml")


def test_self_extends_is_a_cycle(tmp_path):
    write(tmp_path, "me", FULL.format(title="me") + '\n')
    (tmp_path / "me.toml").write_text('extends = "me.toml"\n' + (tmp_path / "me.toml").read_text())
    one_line_error(tmp_path / "me.toml", "cycle", "me -> me")


def test_extends_unknown_parent(tmp_path):
    path = write(tmp_path, "orphan", 'extends = "no_such_parent"\ntitle = "x"\n')
    one_line_error(path, "no_such_parent", "baseline")


# ===== errors ======================================================================================

def test_unknown_name_lists_the_known_ones():
    one_line_error("no_such_scenario", "unknown scenario 'no_such_scenario'", "known:", "baseline")


def test_missing_file(tmp_path):
    one_line_error(tmp_path / "absent.toml", "absent.toml", "not found")


def test_unknown_top_level_key(tmp_path):
    path = write(tmp_path, "typo", FULL.format(title="t").replace("narrative =", "narative ="))
    one_line_error(path, "typo.toml", "unknown key 'narative'", "allowed:")


def test_unknown_source_key(tmp_path):
    path = write(tmp_path, "src", FULL.format(title="t") + 'page = 3\n')
    one_line_error(path, "src.toml", "source.page")


def test_malformed_toml_names_the_line(tmp_path):
    path = write(tmp_path, "broken", 'title = "x"\nclaim = "y"\nnarrative = \n')
    one_line_error(path, "broken.toml", "malformed TOML", "line 3")


def test_malformed_toml_at_end_of_document_still_names_a_line(tmp_path):
    path = write(tmp_path, "open", 'title = "x"\nnotice = ["a",\n')
    one_line_error(path, "open.toml", "malformed TOML", "line")


def test_missing_required_key(tmp_path):
    path = write(tmp_path, "short", FULL.format(title="t").replace('claim = "a claim"\n', ""))
    one_line_error(path, "short.toml", "missing required key 'claim'")


def test_missing_source(tmp_path):
    text = FULL.format(title="t").split("[source]")[0]
    one_line_error(write(tmp_path, "nosrc", text), "nosrc.toml", "source.seed")


def test_wrong_type(tmp_path):
    path = write(tmp_path, "wrong", FULL.format(title="t").replace('notice = ["one", "two"]', 'notice = "one"'))
    one_line_error(path, "wrong.toml", "'notice'", "an array")


def test_bad_params(tmp_path):
    one_line_error(write(tmp_path, "p1", FULL.format(title="t") + "[params]\nno_such_field = 1\n"),
                   "p1.toml", "no_such_field")
    one_line_error(write(tmp_path, "p2", FULL.format(title="t") + "[params]\nprice_elasticity = 42.0\n"),
                   "p2.toml", "price_elasticity", "allowed")
    one_line_error(write(tmp_path, "p3", FULL.format(title="t") + "[params]\nn_user_cohorts = true\n"),
                   "p3.toml", "n_user_cohorts")


def test_bad_events(tmp_path):
    one_line_error(write(tmp_path, "e1", FULL.format(title="t") + "[[events]]\nmonth = 3\n"),
                   "e1.toml", "event 0", "set")
    one_line_error(write(tmp_path, "e2", FULL.format(title="t") + "[[events]]\nmonth = 3\nset = { bogus = 1 }\n"),
                   "e2.toml", "bogus")
    init_only = "[[events]]\nmonth = 3\nset = { n_user_cohorts = 50 }\n"
    one_line_error(write(tmp_path, "e3", FULL.format(title="t") + init_only), "e3.toml", "n_user_cohorts")


def test_event_outside_horizon(tmp_path):
    event = "[[events]]\nmonth = 30\nset = { efficiency_shock_factor = 2.0 }\n"
    path = write(tmp_path, "late", FULL.format(title="t") + event)
    s = load_scenario(str(path))
    s.check_horizon(30)  # run months count from 1: month 30 is the last of a 30-month run
    with pytest.raises(ScenarioError) as e:
        s.check_horizon(29)
    msg = str(e.value)
    assert "\n" not in msg and "late.toml" in msg and "month 30" in msg and "[1, 29]" in msg


def test_event_outside_horizon_names_the_parent_file(tmp_path):
    event = "[[events]]\nmonth = 20\nset = { efficiency_shock_factor = 2.0 }\n"
    write(tmp_path, "parent", FULL.format(title="p") + event)
    child = write(tmp_path, "kid", 'extends = "parent.toml"\n')
    with pytest.raises(ScenarioError, match="parent.toml: event 0"):
        load_scenario(str(child)).check_horizon(12)


# ===== more bad input (each a one-line error naming the file) ======================================

@pytest.mark.parametrize("event, needles", [
    ("month = 3\nset = { price_elasticity = 99.0 }", ("price_elasticity", "out of range")),
    ("month = -1\nset = { price_elasticity = 1.0 }", ("event 0", "month -1")),
    ("month = 2.5\nset = { price_elasticity = 1.0 }", ("event 0", "month 2.5")),
    ("month = 3\nset = {}", ("event 0", "non-empty")),
])
def test_bad_event_values(tmp_path, event, needles):
    path = write(tmp_path, "ev", FULL.format(title="t") + "[[events]]\n" + event + "\n")
    one_line_error(path, "ev.toml", *needles)


def test_events_that_are_not_tables(tmp_path):
    path = write(tmp_path, "evs", "events = [1, 2]\n" + FULL.format(title="t"))
    one_line_error(path, "evs.toml", "event 0", "'month' and 'set'")


def test_param_given_as_text_that_is_not_a_number(tmp_path):
    path = write(tmp_path, "txt", FULL.format(title="t") + '[params]\nprice_elasticity = "high"\n')
    one_line_error(path, "txt.toml", "price_elasticity", "'high'")


def test_empty_text_and_wrong_extends_type(tmp_path):
    one_line_error(write(tmp_path, "empty", FULL.format(title=" ")), "empty.toml", "'title' is empty")
    one_line_error(write(tmp_path, "ext", "extends = 3\n" + FULL.format(title="t")), "ext.toml", "'extends'",
                   "a string")


def test_merged_params_from_parent_and_child_make_a_valid_model(tmp_path):
    """Dependent fields are expressed relative to each other (a new generation's yield as
    a share of its mature yield), so any parent's and child's values combine into a valid
    model: no cross-field refusal is possible."""
    write(tmp_path, "parent", FULL.format(title="p") + "[params]\nyield_mature_frac = 0.3\n")
    child = write(tmp_path, "child", 'extends = "parent.toml"\n[params]\nyield_initial_share = 1.0\n')
    sc = load_scenario(str(child))
    assert sc.params["yield_mature_frac"] == 0.3 and sc.params["yield_initial_share"] == 1.0


def test_an_event_value_out_of_range_names_the_event(tmp_path):
    """An event's value is checked when the file loads, not months into a run."""
    event = "[[events]]\nmonth = 3\nset = { yield_initial_share = 1.5 }\n"
    path = write(tmp_path, "late_yield", FULL.format(title="t") + event)
    one_line_error(path, "late_yield.toml", "event 0", "yield_initial_share", "1.5")
    fixed = FULL.format(title="t") + event.replace("1.5", "0.95")
    assert load_scenario(str(write(tmp_path, "ok_yield", fixed))).events[0]["month"] == 3


def test_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "binary.toml"
    path.write_bytes(b"\xff\xfe\x00title")
    one_line_error(path, "binary.toml", "cannot read")


# ===== hardened edges: what tomllib reads but nothing downstream can hold ==========================

@pytest.mark.parametrize("body, needles", [
    ("notice = " + "[" * 2000 + "]" * 2000 + "\n", ("line 2", "'notice'", "more than 8 deep")),  # RecursionError before
    ("x = " + "{ a = " * 400 + "1" + " }" * 400 + "\n", ("line 2", "'x'", "more than 8 deep")),
    ("a.b.c.d.e.f.g.h.i.j = 1\n", ("'a.b.c.d.e.f.g.h.i'", "nested 9 deep", "at most 8")),
    ("[params]\nprice_elasticity = 1e400\n", ("'params.price_elasticity'", "1e400", "overflows")),
    ("[params]\nn_user_cohorts = 123456789012345678901234567890\n", ("'params.n_user_cohorts'", "30 digits",
                                                                      "64-bit")),
])
def test_nesting_overflow_and_huge_integers_are_refused(tmp_path, body, needles):
    path = write(tmp_path, "edge", 'extends = "baseline"\n' + body)
    one_line_error(path, "edge.toml", *needles)


def test_a_quoted_number_in_a_file_is_refused(tmp_path):
    """TOML has numbers; "1.4" in a file is a mistake (--set on the command line takes strings)."""
    params = write(tmp_path, "q1", 'extends = "baseline"\n[params]\nprice_elasticity = "1.4"\n')
    one_line_error(params, "q1.toml", "price_elasticity", "'1.4'", "quoted string", "without quotes")
    event = write(tmp_path, "q2", 'extends = "baseline"\n[[events]]\nmonth = 2\nset = { price_elasticity = "1.4" }\n')
    one_line_error(event, "q2.toml", "event 0", "price_elasticity", "'1.4'", "quoted string")
    fine = write(tmp_path, "q3", 'extends = "baseline"\n[params]\nprice_elasticity = 1.4\n')
    assert load_scenario(str(fine)).params == {"price_elasticity": 1.4}


@pytest.mark.parametrize("ref, needles", [
    ("no_such_parent", ("unknown scenario 'no_such_parent'", "known:")),
    ("elsewhere/missing.toml", ("'elsewhere/missing.toml' not found",)),
])
def test_a_bad_extends_names_the_key_and_the_file(tmp_path, ref, needles):
    path = write(tmp_path, "child", f'extends = "{ref}"\ntitle = "x"\n')
    one_line_error(path, "child.toml", f"key 'extends' = '{ref}'", *needles)


@pytest.mark.parametrize("ref", ["a" * 5000, "a" * 5000 + ".toml", "dir/" + "b" * 300 + ".toml"])
def test_an_over_long_name_is_a_one_line_error(ref):
    msg = one_line_error(ref, "characters")
    assert len(msg) < 400, msg  # the name is shown cut, with its length
