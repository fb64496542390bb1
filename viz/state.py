"""Session state shared by the pages (kernel-scoped: one value per browser session)."""

import solara

TABS = ("Live", "Compare", "Debate", "Sweeps")
#: The open tab; pages switch it (the Debate page's "Run this" opens Live).
tab = solara.reactive(0)


def go(name: str) -> None:
    tab.value = TABS.index(name)
