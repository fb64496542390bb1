"""Session state shared by the pages (kernel-scoped: one value per browser session)."""

import solara

TABS = ("Live", "Compare", "Debate", "Sweeps")
#: The open tab; pages switch it (the Debate page's "Run this" opens Live).
tab = solara.reactive(0)
#: What was wrong with the link the page was opened with (shown above the tabs).
link_messages = solara.reactive([])


def go(name: str) -> None:
    tab.value = TABS.index(name)
