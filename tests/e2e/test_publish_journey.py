"""A county official publishes a 比拼晾晒 issue, makes its WeChat image, prints it, edits a ledger and sees the
issue unchanged; makes an API token; runs the hall screen through several refreshes (no console error,
no growing memory)."""

import struct
from decimal import Decimal
from pathlib import Path

from dashboards.models import LeagueIssue
from ledger.models import LedgerYear

from .. import dashboard_data
from ..factories import make_ledger_year, make_village
from ..test_issues import rewrite_approved
from .conftest import SCREENSHOTS

WAN = Decimal(10000)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_official_publishes_an_issue_makes_its_image_and_edits_do_not_change_it(journey, world, tmp_path):
    villages = dashboard_data.build(world)
    trip = journey()
    trip.login("carol")
    page = trip.goto("/dashboards/issues/")
    assert "还没有发布过比拼晾晒" in page.inner_text("main")
    trip.shot("issues-empty")
    with page.expect_navigation():
        page.click("text=发布扬中市新一期")
    page.select_option("select[name=year]", "2021")
    page.fill("textarea[name=note]", "请各镇对照排名查找差距。")
    trip.shot("publish-form")
    with page.expect_navigation():
        page.click("button[name=preview]")
    assert "确认发布（8 行）" in page.inner_text("main")
    assert page.locator("table.issue-rows tbody tr").count() == 8
    assert not LeagueIssue.objects.exists()  # seeing the preview publishes nothing
    trip.shot("publish-preview")
    with page.expect_navigation():
        page.click("button[name=confirm]")
    page.wait_for_load_state("networkidle")
    issue = LeagueIssue.objects.get()
    assert page.url.endswith(f"/dashboards/issues/{issue.pk}/")
    assert issue.number_label in page.inner_text("main")
    first_row = page.locator("table.issue-rows tbody tr").first.inner_text()
    assert "八桥村" in first_row and "400.00" in first_row
    trip.shot("issue")

    # The WeChat image: drawn in the browser from the issue's data, downloaded as a PNG.
    page.click("[data-issue-image]")
    page.wait_for_selector("#issue-canvas[data-drawn='1']")
    with page.expect_download() as download:
        page.click("#issue-image-download")
    assert download.value.suggested_filename == f"扬中市-比拼晾晒-{issue.issue_year}-{issue.number}.png"
    saved = tmp_path / "issue.png"
    download.value.save_as(saved)
    width, height = png_size(saved.read_bytes())
    assert width == 1080 and height > 8 * 54
    # The watermark (the issue number, faint red) crosses the white rows: some pixel of the table is tinted.
    tinted = page.evaluate("""() => {
        const c = document.getElementById('issue-canvas'), ctx = c.getContext('2d');
        const d = ctx.getImageData(0, c.height - 160, c.width, 120).data;
        let n = 0; for (let i = 0; i < d.length; i += 4) { if (d[i] > 230 && d[i + 1] < 240 && d[i + 1] > 200) n++; }
        return n; }""")
    assert tinted > 100
    Path(SCREENSHOTS / trip.name / "wechat.png").write_bytes(saved.read_bytes())
    trip.shot("issue-image")

    with page.expect_navigation():
        page.click("text=打印版")
    assert issue.number_label in page.inner_text("body") and "扬中市农业农村局" in page.inner_text("body")
    trip.shot("print")

    # Someone corrects 长胜村 afterwards: the live table moves, the issue stays as published.
    rewrite_approved(LedgerYear.objects.get(village=villages["长胜村"], year=2021),
                     {"operating_revenue": 900 * WAN, "subsidy_income": 80 * WAN})
    page = trip.goto(f"/dashboards/issues/{issue.pk}/")
    assert page.locator("table.issue-rows tbody tr").first.inner_text() == first_row
    page = trip.goto("/dashboards/villages/?year=2021")
    assert "长胜村" in page.locator("table.league tbody tr").first.inner_text()


def test_official_makes_a_token_and_sees_it_once(journey, world):
    trip = journey()
    trip.login("carol")
    page = trip.goto("/dashboards/api-tokens/")
    page.fill("#id_name", "大厅大屏")
    with page.expect_navigation():
        page.click("form.stacked-form button[type=submit]")
    key = page.inner_text("#new-token")
    assert key.startswith("cj_")
    trip.shot("token-made")
    page = trip.goto("/dashboards/api-tokens/")
    assert key not in page.content() and "大厅大屏" in page.inner_text("table.tokens")
    with page.expect_navigation():
        page.click("text=吊销")
    with page.expect_navigation():
        page.click("text=确认吊销")
    assert "已吊销" in page.inner_text("table.tokens")
    trip.shot("token-revoked")
    # The API's docs page: Swagger UI from our own static files, drawn under the CSP without an error.
    page = trip.goto("/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock-summary-path")
    assert "/api/v1/overview" in page.inner_text(".swagger-ui")


METRICS = "Performance.getMetrics"


def metrics(cdp) -> dict:
    cdp.send("HeapProfiler.collectGarbage")
    return {m["name"]: m["value"] for m in cdp.send(METRICS)["metrics"]}


def wait_refreshes(page, n: int) -> None:
    page.wait_for_function(f"() => Number(document.body.dataset.refreshes) >= {n}", timeout=60000)


def test_hall_screen_refreshes_itself_without_errors_or_growing_memory(journey, world):
    villages = dashboard_data.build(world)
    trip = journey()
    trip.login("carol")
    page = trip.page
    page.set_viewport_size({"width": 1920, "height": 1080})
    trip.goto("/dashboards/screen/?refresh=1")
    wait_refreshes(page, 1)
    assert page.inner_text("[data-kpi='reporting']") == "8"
    assert "八桥村" in page.locator("#screen-ranking tr").first.inner_text()
    assert page.locator("#screen-trend .main-svg").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920
    page.screenshot(path=str(SCREENSHOTS / trip.name / "screen-1920x1080.png"))
    page.evaluate("window.__sameDocument = true")

    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    wait_refreshes(page, 3)  # warmed up: plotly has drawn every chart more than once
    before = metrics(cdp)

    # A new village-year is approved meanwhile: the screen shows it without reloading.
    make_ledger_year(make_village(world["baqiao"], 209, "新桥村"), 2021, {"operating_revenue": 2000 * WAN},
                     status="approved")
    start = int(page.evaluate("document.body.dataset.refreshes"))
    wait_refreshes(page, start + 2)
    assert page.inner_text("[data-kpi='reporting']") == "9"
    assert "新桥村" in page.locator("#screen-ranking tr").first.inner_text()
    assert page.evaluate("window.__sameDocument") is True  # no full page reload
    assert page.locator("#screen-ranking tr").count() == 9

    wait_refreshes(page, start + 12)
    after = metrics(cdp)
    grown = after["JSHeapUsedSize"] - before["JSHeapUsedSize"]
    print(f"screen heap {before['JSHeapUsedSize'] / 1024:.0f} → {after['JSHeapUsedSize'] / 1024:.0f} KB, listeners "
          f"{before['JSEventListeners']:.0f} → {after['JSEventListeners']:.0f}, nodes {before['Nodes']:.0f} → "
          f"{after['Nodes']:.0f} over 12 refreshes")
    assert grown < 3 * 1024 * 1024, f"JS heap grew by {grown / 1024:.0f} KB over 12 refreshes"
    assert after["JSEventListeners"] <= before["JSEventListeners"] + 5, (before["JSEventListeners"],
                                                                         after["JSEventListeners"])
    assert after["Nodes"] <= before["Nodes"] + 200, (before["Nodes"], after["Nodes"])
    assert page.locator("#screen-ranking tr").count() == 9
    assert villages  # the data the screen showed
    page.set_viewport_size({"width": 1280, "height": 900})
    trip.shot("screen-small")
