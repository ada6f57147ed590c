"""Hostile names in a real browser: the pages and the plotly charts draw them as text. Nothing runs (no
dialog opens, no element from the data appears), and nothing trips the Content-Security-Policy (a
blocked inline handler would be a console error, which the journey refuses)."""

from .. import hostile_data

SCRIPT, ATTRIBUTE = hostile_data.SCRIPT, hostile_data.ATTRIBUTE
# True when the data made it into the page as markup: an <img src=x> or a script that would alert.
INJECTED = """() => document.querySelectorAll('img[src="x"], [onerror]').length > 0
  || [...document.scripts].some(s => s.type !== 'application/json' && s.textContent.includes('alert(1)'))"""


def visit(trip, path: str, label: str, dialogs: list, chart: str | None = None):
    page = trip.goto(path)
    if chart:
        page.wait_for_selector(f"{chart} .main-svg")
        page.hover(f"{chart} .main-svg")  # hover labels render the names too
    assert not page.evaluate(INJECTED), f"{label}: markup from the data is live"
    assert not dialogs, f"{label}: a dialog opened: {dialogs}"
    trip.shot(label)
    return page


def test_hostile_names_are_drawn_as_text_in_pages_and_charts(journey):
    world = hostile_data.build()
    village = world["villages"][0]

    official = journey("hostile-official")
    dialogs: list[str] = []
    official.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    official.login("official")
    page = visit(official, "/dashboards/?year=2023", "overview", dialogs, chart="#chart-ranking")
    page = visit(official, "/dashboards/villages/?year=2023", "village-table", dialogs, chart=".chart")
    table = page.locator("table.league").inner_text()
    assert SCRIPT in table and ATTRIBUTE in table and "=cmd|' /C calc'!A0" in table
    assert SCRIPT in page.locator(".chart svg").first.text_content()  # the bar labels, as text
    page = visit(official, f"/dashboards/village/{village.pk}/?year=2023", "village-profile", dialogs,
                 chart="#chart-trend")
    assert SCRIPT in page.locator("h1").inner_text()
    assert ATTRIBUTE + "强村公司" in page.locator("body").inner_text()
    page = visit(official, "/dashboards/organizations/?year=2023", "organisations", dialogs)
    assert SCRIPT + "联合党委" in page.locator("body").inner_text()
    visit(official, "/dashboards/tiers/?year=2023", "tiers", dialogs, chart="#chart-tier-stack")

    cadre = journey("hostile-cadre")
    cadre.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    cadre.login("cadre")
    page = visit(cadre, f"/ledger/villages/{village.pk}/2024/", "draft-form", dialogs)
    names = page.locator("input[name$='-name']").evaluate_all("inputs => inputs.map(i => i.value)")
    assert SCRIPT in names and ATTRIBUTE in names  # typed text comes back as typed
    page = visit(cadre, f"/ledger/villages/{village.pk}/2023/", "history", dialogs)
    assert SCRIPT + ATTRIBUTE in page.locator("#history").inner_text()
