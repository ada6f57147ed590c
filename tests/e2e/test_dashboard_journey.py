from .. import dashboard_data

# Every plotly graph on the page holds at least one trace with points.
CHARTS_HAVE_DATA = """() => [...document.querySelectorAll('.js-plotly-plot')].map(
    el => el.data && el.data.length > 0 && el.data.some(t => (t.x || t.y || t.values || t.labels || []).length > 0))"""


def test_official_reads_the_tiers_drills_down_to_a_village_and_exports(journey, transactional_db, world, people):
    dashboard_data.build(world)
    trip = journey()
    trip.login("carol")
    page = trip.goto("/dashboards/?year=2021")
    tiers = page.locator(".tier-line").inner_text()
    assert "500万元以上 1 个村" in tiers and "300万元以上 4 个村" in tiers and "150万元以上 3 个村" in tiers
    page.wait_for_selector("#chart-treemap .main-svg")
    assert page.locator(".chart .main-svg").count() >= 6  # every chart drawn by our own plotly.min.js
    drawn = page.evaluate(CHARTS_HAVE_DATA)
    assert len(drawn) >= 6 and all(drawn), drawn
    trip.shot("overview")

    with page.expect_navigation():
        page.click("table.league a:text-is(\"八桥镇\")")  # drill down: county → town
    page.wait_for_load_state("networkidle")
    assert "扬中市八桥镇" in page.locator("h1").inner_text()
    trip.shot("town")

    trip.goto("/dashboards/villages/?year=2021")
    with page.expect_navigation():
        page.select_option("select[name=tier]", "300万元以上")  # the filter form submits itself
    page.wait_for_load_state("networkidle")
    assert "tier=300" in page.url  # the URL keeps the filter, so the table can be shared
    assert page.locator("table.league tbody tr").count() == 4
    trip.shot("village-table-filtered")
    with page.expect_download() as download:
        page.click("text=导出 Excel")
    assert download.value.suggested_filename.endswith(".xlsx")

    with page.expect_navigation():
        page.click("table.league a:text-is(\"长胜村\")")  # drill down: table → village
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("#chart-rank .main-svg")
    assert all(page.evaluate(CHARTS_HAVE_DATA))
    assert "长胜村" in page.locator("h1").inner_text()
    trip.shot("village-profile")
