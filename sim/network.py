"""The contract network: who is tied to whom, with this month's flows as edge weights.

A networkx DiGraph whose nodes are agents (by name, with a ``kind``) and whose edges
are compute contracts (lab -> hyperscaler), chip orders (hyperscaler -> vendor), grid
connections (hyperscaler -> utility), equity ties (parent -> in-house lab) and token
purchases (user segment -> lab). A default spreads along these edges: that is how a
local failure becomes a cascade.
"""

from __future__ import annotations

import networkx as nx

#: Edge kinds and the ledger payment kind whose flow becomes the edge weight.
EDGE_KINDS = {
    "compute": "compute_rental",
    "chips": "chip_purchase",
    "grid": "electricity",
    "equity": "equity",
    "tokens": "token_sales",
}


def build_contract_graph(model) -> nx.DiGraph:
    """The graph at month 0, from each agent's declared ties."""
    g = nx.DiGraph()
    for kind, agents in (("hyperscaler", model.hyperscalers), ("lab", model.labs), ("vendor", model.vendors),
                         ("utility", model.utilities), ("users", model.user_segments)):
        for a in agents:
            g.add_node(a.name, kind=kind, defaulted=False)
    for lab in model.labs:
        for hs in lab.partner_weights:
            g.add_edge(lab.name, hs, kind="compute", weight=0.0)
        if lab.parent:
            g.add_edge(lab.parent, lab.name, kind="equity", weight=0.0)
    for hs in model.hyperscalers:
        for v in hs.vendor_mix:
            g.add_edge(hs.name, v, kind="chips", weight=0.0)
        for u in model.utilities:
            if u.region in hs.region_mix:
                g.add_edge(hs.name, u.name, kind="grid", weight=0.0)
    for seg in model.user_segments:
        for lab in model.labs:
            g.add_edge(seg.name, lab.name, kind="tokens", weight=0.0)
    return g


def update_flows(g: nx.DiGraph, model) -> None:
    """Set every edge's weight to this month's flow along it (USD; tokens/day for users)."""
    flows = model.ledger.month_flows
    for (src, dst, kind), amount in flows.items():
        if kind == "compute_rental" and amount > 0 and not g.has_edge(src, dst):
            g.add_edge(src, dst, kind="compute", weight=0.0)   # a lab renting beyond its partners
    for u, v, data in g.edges(data=True):
        if data["kind"] != "tokens":
            data["weight"] = flows.get((u, v, EDGE_KINDS[data["kind"]]), 0.0)
    for seg in model.user_segments:
        if seg.lab_shares is None:
            continue
        lab_tokens = seg.tokens_per_day @ seg.lab_shares
        for lab, t in zip(model.labs, lab_tokens):
            g.edges[seg.name, lab.name]["weight"] = float(t)


def counterparties(g: nx.DiGraph, name: str) -> list[str]:
    """Everyone tied to ``name`` by a contract, order, connection or equity edge."""
    out = [v for v in g.successors(name) if g.edges[name, v]["kind"] != "tokens"]
    inc = [u for u in g.predecessors(name) if g.edges[u, name]["kind"] != "tokens"]
    return sorted(set(out) | set(inc))
