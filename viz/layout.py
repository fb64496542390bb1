"""The app's layout on any screen: one place for the widths at which columns stack.

The pages are laid out with ``solara.Columns`` (a Vuetify row of columns whose widths are
flex-grow ratios and whose flex-basis is 0, so they never wrap on their own: at 1024 px
the Live page's charts were 370 px wide with clipped titles, at 768 px the controls column
was too narrow for its Reset button, and at 390 px every column was a sliver). The rows
carry the class names below and :data:`LAYOUT_CSS` makes them wrap:

- up to :data:`NARROW_PX` (a laptop's 1024 px): Live's chart pairs stack, one chart to a
  row at the charts column's full width; the controls keep a fixed width; the Sweeps
  page's two figures stack;
- up to :data:`STACK_PX` (a tablet or phone): the controls stack above the charts and
  every row is one column; wide tables scroll inside their own box, never the page.

Chart titles and legends are HTML above each figure (:mod:`viz.export`), so they wrap
instead of being clipped, and no legend sits on the lines it names.

Solara's "This website runs on Solara" banner is an absolutely placed box at the bottom
right of the page, over whatever is there (a chart's axis, the Sources tab's text);
:func:`hide_banner` turns it off.
"""

from __future__ import annotations

#: Up to this viewport width (px) Live's chart pairs stack and the controls keep a fixed width.
NARROW_PX = 1024
#: Up to this viewport width (px) every row of columns stacks into one column.
STACK_PX = 800
#: The controls column's width (px) between :data:`STACK_PX` and :data:`NARROW_PX`: room for
#: the ▶, Step and Reset buttons on one line.
CONTROLS_PX = 300

#: Class names of the rows that stack (given to ``solara.Columns(classes=...)``).
LIVE_LAYOUT = "live-layout"      # Live: controls | charts
CHART_PAIR = "chart-pair"        # Live: two charts side by side
SWEEP_FIGURES = "sweep-figures"  # Sweeps: heat map | bars

_FULL_WIDTH = "flex: 1 1 100% !important; max-width: 100% !important;"

LAYOUT_CSS = f"""
@media (max-width: {NARROW_PX}px) {{
    .{CHART_PAIR} > .col, .{SWEEP_FIGURES} > .col {{ {_FULL_WIDTH} }}
    .{LIVE_LAYOUT} > .col:first-child {{ flex: 0 0 {CONTROLS_PX}px !important; max-width: {CONTROLS_PX}px; }}
}}
@media (max-width: {STACK_PX}px) {{
    .{LIVE_LAYOUT} > .col, .{LIVE_LAYOUT} > .col:first-child {{ {_FULL_WIDTH} }}
    .row > .col {{ {_FULL_WIDTH} }}
    .v-main__wrap > .container, .solara-content-main {{ padding-left: 4px; padding-right: 4px; }}
}}
/* nothing wider than its column: pictures scale down, wide tables scroll in their own box */
.{LIVE_LAYOUT} svg:not(.svg-figure):not(.svg-background), .{SWEEP_FIGURES} img {{ max-width: 100%; height: auto; }}
.compare-table, .v-data-table__wrapper {{ overflow-x: auto; max-width: 100%; }}
/* a card's title breaks between words, not inside "(000)" */
.v-card__title {{ word-break: normal; }}
"""


def hide_banner() -> None:
    """Turn off Solara's "This website runs on Solara" banner, which its page template
    places over the bottom right corner of the content (``theme.show_banner``, read when
    the page is served, so setting it when the app module loads is enough)."""
    import solara.server.settings

    solara.server.settings.theme.show_banner = False
