"""Export from the page: each chart as a PNG file, and the page's link to the clipboard.

:func:`Chart` shows a bqplot figure under an HTML head: its title, its legend and a "PNG"
button that downloads the figure as ``<chart-title>.png`` (bqplot's ``Figure.save_png``:
the browser draws the figure's SVG onto a canvas and saves it; nothing leaves the
machine). The title and legend are HTML so that they wrap on a narrow screen; bqplot's
own title was clipped at 1024 px and its legend, drawn inside the plot area, covered the
lines it named. On screen the figure's own title and legend are hidden by
:data:`SCREEN_ONLY_CSS`; they stay in the PNG, because bqplot copies the page's
top-level CSS rules into the SVG it exports and skips rules inside an ``@media`` block.

:class:`CopyLinkButton` copies the page's address (``window.location.href``, which the
app keeps on what is on screen: :func:`viz.share.current_query`) with the browser's
clipboard API, and says "Link copied" beside itself.
"""

from __future__ import annotations

import re

import bqplot as bq
import ipyvuetify as v
import reacton.ipyvuetify as rv
import solara
import traitlets

#: Longest file name stem a chart's title becomes (characters, before ".png").
MAX_STEM = 80
#: bqplot's title and legend inside the figure: hidden on screen (HTML ones are shown
#: above the figure), kept in the exported PNG (bqplot skips rules inside ``@media``).
SCREEN_ONLY_CSS = """
@media screen {
    .cb-chart .bqplot text.mainheading, .cb-chart .bqplot g.g_legend { display: none !important; }
}
"""
#: How long "Link copied" stays beside the button (ms).
COPIED_SHOW_MS = 4000


def png_filename(title: str) -> str:
    """A chart's title as a file name: lower-case words joined by dashes, ``.png``.

    >>> png_filename("The two curves: AI capex and revenue ($B/yr, annualized)")
    'the-two-curves-ai-capex-and-revenue-b-yr-annualized.png'
    """
    stem = re.sub(r"[^a-z0-9]+", "-", str(title).lower()).strip("-")[:MAX_STEM].rstrip("-")
    return f"{stem or 'chart'}.png"


def legend_items(figure: bq.Figure) -> list[dict]:
    """What the figure's legend names: ``{"label", "colour", "kind"}`` for each label of
    each mark shown in the legend; ``kind`` is the line style ("solid", "dashed",
    "dotted", "dash_dotted") of a line or the marker of a scatter ("diamond", ...)."""
    items = []
    for mark in figure.marks:
        if not mark.display_legend or not mark.labels:
            continue
        colours = list(mark.colors or ["#333333"])
        if isinstance(mark, bq.Scatter):
            kind = mark.marker
        else:
            kind = getattr(mark, "line_style", "solid")
        for i, label in enumerate(mark.labels):
            items.append({"label": str(label), "colour": colours[i % len(colours)], "kind": kind})
    return items


#: A legend swatch's CSS by kind: a short line in the mark's style, or a small marker.
_LINE = "display:inline-block;width:18px;height:0;border-top:2.5px {style} {colour};vertical-align:middle"
_MARKER = ("display:inline-block;width:8px;height:8px;background:{colour};border:1px solid #222;"
           "vertical-align:middle;{shape}")
_LINE_STYLES = {"solid": "solid", "dashed": "dashed", "dotted": "dotted", "dash_dotted": "dashed"}
_SHAPES = {"diamond": "transform:rotate(45deg) scale(0.85)", "circle": "border-radius:50%"}


def _swatch(item: dict):
    colour = item["colour"]
    if item["kind"] in _LINE_STYLES:
        style = _LINE.format(style=_LINE_STYLES[item["kind"]], colour=colour)
    else:
        style = _MARKER.format(colour=colour, shape=_SHAPES.get(item["kind"], ""))
    return rv.Html(tag="span", class_="cb-swatch", style_=style, children=[])


@solara.component
def Legend(figure: bq.Figure):
    """The figure's legend as wrapping HTML: a swatch and the label (as text) per item."""
    items = legend_items(figure)
    if not items:
        return rv.Html(tag="div", class_="cb-legend", children=[])
    return rv.Html(tag="div", class_="cb-legend", style_="display:flex;flex-wrap:wrap;gap:2px 12px;font-size:12px;"
                   "color:#333;margin:0 8px", children=[
                       rv.Html(tag="span", class_="cb-legend-item", style_="white-space:nowrap", children=[
                           _swatch(item), " ", item["label"]]) for item in items])


@solara.component
def PngButton(figure: bq.Figure):
    """Download ``figure`` as ``<its title>.png``, drawn by the browser."""
    name = png_filename(figure.title)
    solara.Button("PNG", text=True, small=True, classes=["cb-png"], on_click=lambda: figure.save_png(name),
                  attributes={"title": f"download this chart as {name}"},
                  style={"min-width": "0", "padding": "0 6px", "height": "22px", "font-size": "12px"})


@solara.component
def Chart(figure: bq.Figure, classes: list[str] | None = None):
    """A figure with its title, legend and PNG button above it, as HTML that wraps."""
    with solara.Column(gap="2px", classes=["cb-chart", *(classes or [])]):
        with solara.Row(gap="4px", style={"align-items": "flex-start", "justify-content": "space-between",
                                          "margin": "0 4px"}):
            rv.Html(tag="div", class_="cb-chart-title", style_="font-size:14px;font-weight:500;line-height:1.3",
                    children=[str(figure.title)])
            PngButton(figure)
        Legend(figure)
        solara.display(figure)


_COPY_TEMPLATE = """
<template>
  <span class="cb-copy-link" style="display:inline-flex;align-items:center;gap:6px">
    <v-btn small outlined class="cb-copy-link-button" @click="copy">Copy link</v-btn>
    <span v-if="state" class="cb-copy-link-state" role="status" style="font-size:12px;color:#2e7d32">{{ state }}</span>
  </span>
</template>
<script>
module.exports = {
  data() { return { state: "", timer: null }; },
  methods: {
    copy() {
      const url = window.location.href;
      const done = (ok) => {
        this.state = ok ? "Link copied" : "Could not copy: select the link field and copy it";
        clearTimeout(this.timer);
        this.timer = setTimeout(() => { this.state = ""; }, SHOW_MS);
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(url).then(() => done(true), () => done(this.fallback(url)));
      } else {
        done(this.fallback(url));
      }
    },
    fallback(url) {
      const area = document.createElement("textarea");
      area.value = url;
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      let ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      return ok;
    },
  },
};
</script>
""".replace("SHOW_MS", str(COPIED_SHOW_MS))


class CopyLinkButton(v.VuetifyTemplate):
    """"Copy link": the page's address to the clipboard, then "Link copied" for a few
    seconds. The copy runs in the browser on the click (the clipboard API needs the
    click's user gesture and a secure context; 127.0.0.1 and localhost are one), with
    ``document.execCommand("copy")`` as the fallback elsewhere."""

    template = traitlets.Unicode(_COPY_TEMPLATE).tag(sync=True)
