"""Same seed, same output (frames and graphs); another seed, another run."""

import networkx as nx
import pandas as pd

from agents.hyperscaler import Hyperscaler
from agents.model_lab import ModelLab
from sim.model import ComputeBubbleModel


def _run(seed, months=30):
    m = ComputeBubbleModel(seed=seed, n_user_cohorts=200)
    for _ in range(months):
        m.step()
    return m


def _frames(m):
    dc = m.datacollector
    return (dc.get_model_vars_dataframe(), dc.get_agenttype_vars_dataframe(ModelLab),
            dc.get_agenttype_vars_dataframe(Hyperscaler))


def test_same_seed_same_frames_and_graphs():
    a, b = _run(7), _run(7)
    for fa, fb in zip(_frames(a), _frames(b)):
        pd.testing.assert_frame_equal(fa, fb)
    for sa, sb in zip(a.user_segments, b.user_segments):
        assert sorted(sa.graph.edges) == sorted(sb.graph.edges)
        assert (sa.adopted_frac == sb.adopted_frac).all()
    assert nx.utils.graphs_equal(a.contract_graph, b.contract_graph)
    assert [(u, v, d["weight"]) for u, v, d in a.contract_graph.edges(data=True)] == \
        [(u, v, d["weight"]) for u, v, d in b.contract_graph.edges(data=True)]


def test_another_seed_differs():
    a, b = _run(7), _run(8)
    assert sorted(a.user_segments[0].graph.edges) != sorted(b.user_segments[0].graph.edges)
    fa, fb = _frames(a)[0], _frames(b)[0]
    assert not fa["tokens_per_day"].equals(fb["tokens_per_day"])
    assert not fa["frontier_capability"].equals(fb["frontier_capability"])
