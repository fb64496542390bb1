"""The contract network drawn as SVG: edge widths are this month's flows.

Positions are fixed by role (users, labs, hyperscalers, then vendors over utilities), so
the picture does not jump between months and needs no random layout. Defaulted agents
are drawn red with a cross. Rebuilding the SVG costs a few dozen string operations, the
same at month 180 as at month 1.
"""

from __future__ import annotations

import html
import math

WIDTH, HEIGHT = 820, 360
COLUMNS = {"users": 160, "lab": 340, "hyperscaler": 510, "vendor": 660, "utility": 660}
KIND_COLOURS = {"users": "#17becf", "lab": "#1f77b4", "hyperscaler": "#d62728", "vendor": "#9467bd",
                "utility": "#2ca02c"}
EDGE_COLOURS = {"tokens": "#9edae5", "compute": "#aec7e8", "equity": "#ffbb78", "chips": "#c5b0d5",
                "grid": "#98df8a"}


def layout(graph) -> dict[str, tuple[float, float]]:
    """Column by kind; vendors in the top half of the last column, utilities below."""
    by_kind: dict[str, list[str]] = {}
    for node, data in graph.nodes(data=True):
        by_kind.setdefault(data["kind"], []).append(node)
    pos = {}
    for kind, nodes in by_kind.items():
        if kind == "vendor":
            top, bottom = 30, HEIGHT / 2 - 10
        elif kind == "utility":
            top, bottom = HEIGHT / 2 + 20, HEIGHT - 20
        else:
            top, bottom = 25, HEIGHT - 20
        step = (bottom - top) / max(len(nodes) - 1, 1)
        for i, node in enumerate(nodes):
            pos[node] = (COLUMNS[kind], top + i * step if len(nodes) > 1 else (top + bottom) / 2)
    return pos


def svg(graph, pos: dict[str, tuple[float, float]]) -> str:
    """The graph as an SVG string, widths scaled to the month's largest flow of each kind."""
    biggest: dict[str, float] = {}
    for _, _, d in graph.edges(data=True):
        biggest[d["kind"]] = max(biggest.get(d["kind"], 0.0), d.get("weight", 0.0))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
             f'role="img" aria-label="contract network">']
    for u, v, d in graph.edges(data=True):
        top = biggest.get(d["kind"], 0.0)
        w = d.get("weight", 0.0)
        width = 0.5 + 9.5 * math.sqrt(w / top) if top > 0 and w > 0 else 0.4
        (x1, y1), (x2, y2) = pos[u], pos[v]
        if d["kind"] == "equity":      # parent -> in-house lab: draw from the lab's side
            x1, y1, x2, y2 = x2, y2, x1, y1
        dash = ' stroke-dasharray="4 3"' if w <= 0 else ""
        parts.append(f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" '
                     f'stroke="{EDGE_COLOURS[d["kind"]]}" stroke-width="{width:.1f}" stroke-opacity="0.8"{dash}/>')
    for node, d in graph.nodes(data=True):
        x, y = pos[node]
        dead = d.get("defaulted", False)
        fill = "#ffffff" if dead else KIND_COLOURS[d["kind"]]
        stroke = "#d00000" if dead else "#333333"
        parts.append(f'<circle cx="{x:.0f}" cy="{y:.0f}" r="7" fill="{fill}" stroke="{stroke}" stroke-width="2"/>')
        if dead:
            parts.append(f'<path d="M{x-5:.0f},{y-5:.0f} L{x+5:.0f},{y+5:.0f} M{x-5:.0f},{y+5:.0f} '
                         f'L{x+5:.0f},{y-5:.0f}" stroke="#d00000" stroke-width="2"/>')
        label = html.escape(node.replace("Users: ", ""))
        anchor = "end" if d["kind"] == "users" else "start"
        dx = -10 if anchor == "end" else 10
        colour = "#d00000" if dead else "#222222"
        parts.append(f'<text x="{x + dx:.0f}" y="{y + 4:.0f}" font-size="11" text-anchor="{anchor}" '
                     f'fill="{colour}">{label}{" (defaulted)" if dead else ""}</text>')
    parts.append("</svg>")
    return "".join(parts)
