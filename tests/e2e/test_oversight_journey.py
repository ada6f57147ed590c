"""A county official in the browser (1280 and 360 px): who is late with 2024 (填报进度), what looks wrong
(三色预警), marking a warning 已核实, the filters and the Excel export."""

from decimal import Decimal

from ledger import services
from villages.models import Village

from ..factories import make_ledger_year, make_village

WAN = Decimal(10000)
YEAR = 2024  # its default deadline, 2025-03-31, has passed


def build(world):
    baqiao, xinba = world["baqiao"], world["xinba"]
    villages = world["villages"]
    for village, last, this in [(villages["长胜村"], 100, 110), (villages["幸福村"], 100, 60),
                                (villages["八桥村"], 100, Decimal("0.5"))]:
        before = make_ledger_year(village, YEAR - 1, {"operating_revenue": last * WAN}, status="approved")
        make_ledger_year(village, YEAR, {"operating_revenue": this * WAN,
                                         "opening_undistributed": before.closing_undistributed}, status="approved")
    reopened = make_ledger_year(make_village(baqiao, 205, "永兴村"), YEAR, {"operating_revenue": 50 * WAN},
                                status="approved")
    services.ledger_year_transition(ledger_year=reopened, action="reopen", reason="补录租金")
    make_village(xinba, 208, "利民村")  # nothing entered: late


def test_official_sees_who_is_late_and_sets_the_deadline(journey, transactional_db, world, people):
    build(world)
    trip = journey()
    trip.login("carol")
    page = trip.goto(f"/dashboards/progress/?year={YEAR}")
    assert "填报进度" in page.locator("h1").inner_text()
    foot = page.locator("table.progress tfoot tr").inner_text()
    assert "合计" in foot and "逾期" in foot
    trip.shot("progress")
    with page.expect_navigation():
        page.click("table.progress a:text-is(\"八桥镇\")")  # drill down to the town's villages
    page.wait_for_load_state("networkidle")
    assert page.locator("h2:text-is(\"各村\")").count() == 1
    first = page.locator("table.league").nth(1).locator("tbody tr").first.inner_text()
    assert "永兴村" in first and "草稿" in first
    trip.shot("progress-town")
    with page.expect_download() as download:
        page.click("text=导出 Excel")
    assert download.value.suggested_filename.endswith(".xlsx")

    page = trip.goto(f"/dashboards/progress/?year={YEAR}")
    page.fill("input[name=due_date]", f"{YEAR}-06-01")  # before the year ends: refused, in Chinese
    with page.expect_navigation():
        page.click("form.deadline-form button[type=submit]")
    assert "填报截止日应在该年结束之后" in page.content()
    trip.shot("progress-deadline-refused")


def test_official_reads_the_warnings_and_marks_one_verified(journey, transactional_db, world, people):
    build(world)
    trip = journey()
    trip.login("carol")
    page = trip.goto(f"/dashboards/warnings/?year={YEAR}")
    assert "三色预警" in page.locator("h1").inner_text()
    body = page.locator("table.warnings tbody").inner_text()
    assert "疑似单位错误" in body and "逾期未报送" in body and "审核后重新打开" in body
    assert "利民村" in body  # nothing entered, still listed
    trip.shot("warnings")

    with page.expect_navigation():
        page.select_option("select[name=check]", "operating_drop")  # the filter form submits itself
    page.wait_for_load_state("networkidle")
    assert "check=operating_drop" in page.url
    rows = page.locator("table.warnings tbody tr")
    assert rows.count() == 1 and "幸福村" in rows.first.inner_text()
    rows.first.locator("input[name=reason]").fill("村集体厂房改造停租半年，已核实")
    with page.expect_navigation():
        rows.first.locator("button:text-is(\"已核实\")").click()
    page.wait_for_load_state("networkidle")
    assert "已核实" in page.locator(".messages, .message, body").first.inner_text()
    with page.expect_navigation():
        page.select_option("select[name=state]", "verified")
    page.wait_for_load_state("networkidle")
    verified = page.locator("table.warnings tbody").inner_text()
    assert "村集体厂房改造停租半年，已核实" in verified and "carol" in verified
    trip.shot("warnings-verified")

    page = trip.goto(f"/dashboards/warnings/?year={YEAR}&level=red")
    with page.expect_download() as download:
        page.click("text=导出 Excel")
    assert download.value.suggested_filename.endswith(".xlsx")
    # The village-year each warning names is one click away.
    with page.expect_navigation():
        page.locator("table.warnings a", has_text="八桥村").first.click()
    page.wait_for_load_state("networkidle")
    assert f"/ledger/villages/{Village.objects.get(name='八桥村').pk}/{YEAR}/" in page.url
