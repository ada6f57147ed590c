"""填报进度, 三色预警 and the year a dashboard opens on (issue 15), as a county official reads them."""

import re
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dashboards import charts
from dashboards.models import ReportingDeadline, WarningReview
from dashboards.rules import scope_rules
from dashboards.selectors import APPROVED, APPROVED_AND_SUBMITTED, Scope
from dashboards.selectors.progress import progress_table
from dashboards.selectors.warnings import warnings_report
from dashboards.warning_services import WarningSettingsError, reporting_deadline_set, warning_review_create
from ledger import services
from ledger.models import LedgerYear, Share
from villages.models import Enterprise

from .factories import make_ledger_year, make_village

WAN = Decimal(10000)
# A year whose default deadline (settings.REPORT_DEADLINE, in the following year) has long passed.
LATE = 2024


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def rows_of(html: str, part: str = "tbody", table: int = 0) -> list[list[str]]:
    body = re.findall(rf"<{part}>(.*?)</{part}>", html, re.S)[table]
    return [[text(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", r, re.S)]
            for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def statement(year, *, operating, subsidy=0, expense=0, opening=0, investment=0):
    """A village-year's lines (元) under the year's system; 经营收入 may be split with 投资收益."""
    amounts = {"operating_revenue": operating * WAN, "subsidy_income": subsidy * WAN,
               "operating_expense": expense * WAN}
    if opening:
        amounts["opening_undistributed"] = opening * WAN
    if investment:
        amounts["investment_income"] = investment * WAN
    return {k: v for k, v in amounts.items() if v}


def village_years(village, *, last, this, status="approved"):
    """Last year (2023, approved) and this year (2024) of a village; this year's opening balance
    carries last year's closing one unless given, so only the checks a test wants fire."""
    before = make_ledger_year(village, LATE - 1, statement(LATE - 1, **last), status="approved")
    this = {"opening": before.closing_undistributed / WAN, **this}
    return make_ledger_year(village, LATE, statement(LATE, **this), status=status)


@pytest.fixture
def county(world):
    """八桥镇 and 新坝镇 of 扬中市, each village set up to fail one kind of check."""
    baqiao, xinba = world["baqiao"], world["xinba"]
    v = {
        "长胜村": world["villages"]["长胜村"], "幸福村": world["villages"]["幸福村"],
        "八桥村": world["villages"]["八桥村"], "新坝村": world["villages"]["新坝村"],
        "永胜村": make_village(baqiao, 203, "永胜村"), "红旗村": make_village(baqiao, 204, "红旗村"),
        "永兴村": make_village(baqiao, 205, "永兴村"), "红光村": make_village(baqiao, 206, "红光村"),
        "利民村": make_village(xinba, 208, "利民村"),
    }
    village_years(v["长胜村"], last={"operating": 100, "subsidy": 20}, this={"operating": 110, "subsidy": 20})
    # 经营性收入 −40 %, 本年收益 120 → 80 万 (−33 %): both over the 20 % yellow line, under the 50 % red one.
    village_years(v["幸福村"], last={"operating": 100, "subsidy": 20}, this={"operating": 60, "subsidy": 20})
    # 经营性收入 100 万 → 0.5 万 (万元 typed as 元?): a unit slip, newly 空壳村; 本年收益 −83 % is red.
    village_years(v["八桥村"], last={"operating": 100, "subsidy": 20}, this={"operating": Decimal("0.5"),
                                                                            "subsidy": 20})
    # 收益总额 negative, and 年初未分配收益 that is not last year's 年末.
    village_years(v["新坝村"], last={"operating": 30}, this={"operating": 10, "expense": 50, "opening": 1})
    # 投资收益 without any share, and a share without its dividend.
    village_years(v["永胜村"], last={"operating": 100}, this={"operating": 95, "investment": 5})
    enterprise = Enterprise.objects.create(name="八桥强村公司", kind="company", county=world["yangzhong"])
    Share.objects.create(holder=v["红旗村"], enterprise=enterprise, amount=50 * WAN, start_year=2020)
    village_years(v["红旗村"], last={"operating": 100}, this={"operating": 100})
    # Approved, then reopened by the reviewer: back to 草稿, so also late.
    reopened = village_years(v["永兴村"], last={"operating": 100}, this={"operating": 100})
    services.ledger_year_transition(ledger_year=reopened, action="reopen", reason="补录一笔租金")
    # 红光村 only submitted this year; 利民村 has nothing for this year at all.
    village_years(v["红光村"], last={"operating": 100}, this={"operating": 100}, status="submitted")
    make_ledger_year(v["利民村"], LATE - 1, statement(LATE - 1, operating=100), status="approved")
    return v


def report(world, statuses=APPROVED, **kwargs):
    scope = Scope(county=world["yangzhong"])
    return warnings_report(scope=scope, year=LATE, year_statuses=statuses, rules=scope_rules(scope.county_ids),
                           **kwargs)


def checks_by_village(rep, **select) -> dict[str, set[tuple[str, str]]]:
    found: dict[str, set] = {}
    for w in rep.describe(rep.select(**select)):
        found.setdefault(w.name, set()).add((w.code, w.severity))
    return found


def test_each_check_names_the_village_year_that_fails_it(county, world):
    found = checks_by_village(report(world))
    assert "长胜村" not in found  # nothing wrong: green
    assert found["幸福村"] == {("operating_drop", "yellow"), ("net_income_drop", "yellow")}
    assert found["八桥村"] == {("unit_slip", "red"), ("net_income_drop", "red"), ("shell", "red")}
    assert found["新坝村"] >= {("net_loss", "red"), ("carry_forward", "yellow"), ("shell", "red")}
    assert found["永胜村"] == {("investment_no_share", "yellow")}
    assert found["红旗村"] == {("share_no_dividend", "yellow")}
    assert found["永兴村"] == {("reopened", "yellow"), ("not_reported", "red")}
    assert found["利民村"] == {("not_reported", "red")}  # nothing entered at all, still listed
    assert "红光村" not in found  # submitted counts as reported; its figures only with ?submitted=1


def test_sentences_give_the_amounts_in_wan_and_the_reason_of_the_reopening(county, world):
    rep = report(world)
    messages = {(w.name, w.code): w.message for w in rep.describe(rep.select(state="all"))}
    assert messages[("幸福村", "operating_drop")] == "经营性收入 60.00 万元，较上年 100.00 万元下降 40.0%"
    assert "疑为万元与元填错" in messages[("八桥村", "unit_slip")]
    assert "今年新增" in messages[("八桥村", "shell")]
    assert "补录一笔租金" in messages[("永兴村", "reopened")] and "草稿" in messages[("永兴村", "reopened")]
    assert messages[("利民村", "not_reported")].startswith(f"填报截止日 {LATE + 1}-03-31 已过")


def test_submitted_figures_are_checked_only_when_asked(county, world):
    ReportingDeadline.objects.all().delete()
    LedgerYear.objects.filter(village=county["红光村"], year=LATE).update(operating_income=0)
    assert "红光村" not in checks_by_village(report(world))
    assert ("weak", "red") in checks_by_village(report(world, APPROVED_AND_SUBMITTED))["红光村"]


def test_no_one_is_late_before_the_deadline(county, world):
    ReportingDeadline.objects.create(county=world["yangzhong"], year=LATE,
                                     due_date=timezone.localdate() + timedelta(days=30))
    found = checks_by_village(report(world))
    assert "利民村" not in found and found["永兴村"] == {("reopened", "yellow")}


def test_villages_by_colour_per_town_and_in_all(county, world):
    rep = report(world)
    towns = {u.name: (u.villages, u.red, u.yellow, u.green) for u in rep.units}
    # 八桥镇: 八桥村 and 永兴村 red; 幸福村, 永胜村, 红旗村 yellow; 长胜村 and 红光村 green.
    assert towns["八桥镇"] == (7, 2, 3, 2)
    assert towns["新坝镇"] == (2, 2, 0, 0)
    assert (rep.total.villages, rep.total.red, rep.total.yellow, rep.total.green) == (9, 4, 3, 2)


def test_an_official_marks_a_warning_verified_with_a_reason_and_it_no_longer_colours_the_village(
        client, county, people, world):
    ledger_year = LedgerYear.objects.get(village=county["永胜村"], year=LATE)
    client.force_login(people["carol"])
    url = reverse("dashboards:warnings")
    response = client.post(reverse("dashboards:warning_review"), {
        "ledger_year": ledger_year.pk, "code": "investment_no_share", "reason": "理财收益，非入股分红",
        "next": f"{url}?year={LATE}"})
    assert response.status_code == 302 and response["Location"] == f"{url}?year={LATE}"
    review = WarningReview.objects.get(ledger_year=ledger_year, code="investment_no_share")
    assert (review.reason, review.reviewed_by, review.reviewed_at is not None) == ("理财收益，非入股分红", people["carol"], True)
    rep = report(world)
    assert {u.name: u.yellow for u in rep.units}["八桥镇"] == 2  # 永胜村 is green now
    verified = rep.describe(rep.select(state="verified"))
    assert [(w.name, w.review.reason, w.review.by) for w in verified] == [("永胜村", "理财收益，非入股分红", "carol")]
    page = client.get(url, {"year": LATE, "state": "verified"}).content.decode()
    assert "理财收益，非入股分红" in page and "已核实" in page
    # Marked once: the reason stays as given.
    with pytest.raises(WarningSettingsError, match="已核实过"):
        warning_review_create(ledger_year=ledger_year, code="investment_no_share", reason="再来一次", actor=people["carol"])


def test_a_mark_needs_a_reason_and_an_official(client, county, people):
    ledger_year = LedgerYear.objects.get(village=county["永胜村"], year=LATE)
    client.force_login(people["carol"])
    response = client.post(reverse("dashboards:warning_review"), {
        "ledger_year": ledger_year.pk, "code": "investment_no_share", "reason": "  "}, follow=True)
    assert "请填写核实说明" in response.content.decode()
    assert not WarningReview.objects.exists()
    client.force_login(people["alice"])  # a town cadre reads the warnings of her town, but does not verify
    response = client.post(reverse("dashboards:warning_review"), {
        "ledger_year": ledger_year.pk, "code": "investment_no_share", "reason": "看过了"})
    assert response.status_code == 403 and not WarningReview.objects.exists()


def test_warnings_keep_to_the_users_scope(client, county, people, world):
    other = make_ledger_year(world["villages"]["宋寨村"], LATE, statement(LATE, operating=1), status="approved")
    client.force_login(people["carol"])
    assert client.get(reverse("dashboards:warnings"), {"county": world["qinyang"].pk}).status_code == 404
    assert client.get(reverse("dashboards:progress"), {"town": world["ziling"].pk}).status_code == 404
    response = client.post(reverse("dashboards:warning_review"),
                           {"ledger_year": other.pk, "code": "weak", "reason": "外县"})
    assert response.status_code == 404 and not WarningReview.objects.exists()
    client.force_login(people["alice"])  # town scope: her town's villages only
    page = client.get(reverse("dashboards:warnings"), {"year": LATE}).content.decode()
    assert "八桥村" in page and "新坝村" not in page and "宋寨村" not in page


def test_warnings_page_filters_links_and_exports(client, county, people, world):
    client.force_login(people["carol"])
    url = reverse("dashboards:warnings")
    page = client.get(url, {"year": LATE, "level": "red", "check": "not_reported"}).content.decode()
    listed = [r[1] for r in rows_of(page, table=1)]
    assert listed == [f"永兴村 {LATE}年", f"利民村 {LATE}年"]
    # Each warning links to its village-year.
    assert reverse("ledger:village_year", args=[county["永兴村"].pk, LATE]) in page
    page = client.get(url, {"year": LATE, "q": "幸福"}).content.decode()
    assert {r[3] for r in rows_of(page, table=1)} == {"经营性收入下降", "本年收益下降"}
    response = client.get(url, {"year": LATE, "level": "red", "export": "xlsx"})
    sheet = load_workbook(BytesIO(response.content)).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[1][:3] == ["预警", "预警项", "村"]
    assert {row[2] for row in cells[2:]} == {"八桥村", "新坝村", "永兴村", "利民村"}
    assert all(row[0] == "红色" for row in cells[2:])


def test_the_county_sets_its_limits(client, county, people, world):
    client.force_login(people["carol"])
    response = client.post(reverse("dashboards:warning_rules", args=[world["yangzhong"].pk]),
                           {"drop_percent": "45", "red_drop_percent": "60", "jump_ratio": "100"})
    assert response.status_code == 302
    # 经营性收入 −40 % and 本年收益 −33 %: both under the county's 45 % now; 八桥村's −83 % is still red.
    found = checks_by_village(report(world))
    assert "幸福村" not in found and ("net_income_drop", "red") in found["八桥村"]
    response = client.post(reverse("dashboards:warning_rules", args=[world["yangzhong"].pk]),
                           {"drop_percent": "60", "red_drop_percent": "50", "jump_ratio": "100"}, follow=True)
    assert "红色预警降幅不应低于黄色预警降幅" in response.content.decode()
    client.force_login(people["bob"])  # a town reviewer does not set the county's rules
    assert client.post(reverse("dashboards:warning_rules", args=[world["yangzhong"].pk]),
                       {"drop_percent": "10", "red_drop_percent": "20", "jump_ratio": "10"}).status_code == 403


# 填报进度 ----------------------------------------------------------------------------------------------

def test_progress_counts_each_towns_villages_by_status_against_the_deadline(client, county, people, world):
    table = progress_table(scope=Scope(county=world["yangzhong"]), year=LATE, today=date(LATE + 1, 3, 21))
    towns = {r.name: r for r in table.rows}
    # 八桥镇: 7 villages; 6 approved, 永兴村 back to 草稿, 红光村 submitted … counted once each.
    assert towns["八桥镇"].columns == [0, 1, 1, 0, 5] and towns["八桥镇"].villages == 7
    assert towns["新坝镇"].columns == [1, 0, 0, 0, 1]  # 利民村 未填报, 新坝村 approved
    assert towns["八桥镇"].approved_share == Decimal("71.4")
    assert towns["八桥镇"].deadline.days_left(table.today) == 10
    assert table.total.columns == [1, 1, 1, 0, 6] and table.total.villages == 9
    client.force_login(people["carol"])
    page = client.get(reverse("dashboards:progress"), {"year": LATE}).content.decode()
    foot = rows_of(page, "tfoot")[0]
    assert foot[:7] == ["合计", "9", "1", "1", "1", "0", "6"] and "逾期" in foot[-1]
    # Drill down to a town: its villages, furthest behind first, each linking to its village-year.
    page = client.get(reverse("dashboards:progress"), {"year": LATE, "town": world["baqiao"].pk}).content.decode()
    villages = rows_of(page, table=1)
    assert [v[0] for v in villages[:2]] == ["永兴村", "红光村"] and villages[0][2] == "草稿"
    assert reverse("ledger:village_year", args=[county["永兴村"].pk, LATE]) in page


@pytest.mark.skipif("returned" not in LedgerYear.Status.values,
                    reason="已退回 arrives with the workflow's new status (helper entry); the lead checks this at merge")
def test_progress_counts_returned_years_in_their_own_column(county, world):
    LedgerYear.objects.filter(village=county["红光村"], year=LATE).update(status="returned")
    towns = {r.name: r for r in progress_table(scope=Scope(county=world["yangzhong"]), year=LATE).rows}
    assert towns["八桥镇"].columns == [0, 1, 0, 1, 5]


def test_an_official_sets_the_deadline_and_bad_dates_are_refused_in_chinese(client, county, people, world):
    client.force_login(people["carol"])
    url = reverse("dashboards:progress")
    page = client.post(f"{url}?year={LATE}", {"due_date": f"{LATE}-12-01"}).content.decode()
    assert "填报截止日应在该年结束之后" in page and not ReportingDeadline.objects.exists()
    page = client.post(f"{url}?year={LATE}", {"due_date": "明天"}).content.decode()
    assert "请填写有效日期" in page
    due = timezone.localdate() + timedelta(days=12)
    response = client.post(f"{url}?year={LATE}", {"due_date": due.isoformat()})
    assert response.status_code == 302
    assert ReportingDeadline.objects.get(county=world["yangzhong"], year=LATE).due_date == due
    assert "剩 12 天" in client.get(url, {"year": LATE}).content.decode()
    client.force_login(people["alice"])
    assert client.post(f"{url}?year={LATE}", {"due_date": due.isoformat()}).status_code == 403


def test_progress_exports_towns_and_a_towns_villages(client, county, people, world):
    client.force_login(people["carol"])
    response = client.get(reverse("dashboards:progress"), {"year": LATE, "town": world["baqiao"].pk,
                                                           "export": "xlsx"})
    book = load_workbook(BytesIO(response.content))
    towns, villages = ([[c.value for c in row] for row in sheet.iter_rows()] for sheet in book.worksheets)
    assert towns[1][:8] == ["乡镇", "区划代码", "村数", "未填报", "草稿", "已提交", "已退回", "已审核"]
    assert towns[2][:8] == ["八桥镇", world["baqiao"].code, 7, 0, 1, 1, 0, 5]
    assert villages[1] == ["村", "区划代码", "状态", "最后修改"]
    assert {row[0]: row[2] for row in villages[2:]}["永兴村"] == "草稿"


# The year a page opens on ------------------------------------------------------------------------------

def few_approved_of_a_new_year(world, county):
    """LATE + 1 begun: one village approved, one submitted, the others nothing."""
    make_ledger_year(county["长胜村"], LATE + 1, statement(LATE + 1, operating=500), status="approved")
    make_ledger_year(county["幸福村"], LATE + 1, statement(LATE + 1, operating=10), status="submitted")


def test_dashboards_open_on_the_last_complete_year_and_say_why(client, county, people, world):
    few_approved_of_a_new_year(world, county)
    client.force_login(people["carol"])
    page = client.get(reverse("dashboards:overview")).content.decode()
    assert f"{LATE}年" in text(re.search(r"<h1>(.*?)</h1>", page, re.S).group(1))
    note = text(re.search(r'<p class="year-note[^"]*">(.*?)</p>', page, re.S).group(1))
    assert note.startswith(f"默认显示最近一个完整年度：{LATE}年（已审核 6 / 9 个村）")
    assert f"{LATE + 1}年尚在填报（已审核 1 / 9 个村）" in note
    # Asked for, the open year is shown, and said to be incomplete.
    page = client.get(reverse("dashboards:villages"), {"year": LATE + 1}).content.decode()
    assert "尚在填报" in page and "数据不完整" in page


def test_a_county_deadline_that_has_passed_closes_the_year(client, county, people, world):
    few_approved_of_a_new_year(world, county)
    reporting_deadline_set(county=world["yangzhong"], year=LATE + 1, due_date=date(LATE + 2, 1, 1))
    ReportingDeadline.objects.filter(year=LATE + 1).update(due_date=timezone.localdate() - timedelta(days=1))
    client.force_login(people["carol"])
    page = client.get(reverse("dashboards:towns")).content.decode()
    assert f"默认显示最近一个完整年度：{LATE + 1}年（填报截止日" in page


def test_growth_and_rank_change_compare_only_villages_that_reported_both_years(client, county, people, world):
    few_approved_of_a_new_year(world, county)
    client.force_login(people["carol"])
    page = client.get(reverse("dashboards:overview"), {"year": LATE + 1}).content.decode()
    # One village in both years: 长胜村 500 万 against its own 110 万 (总收入 130 万), not against the
    # nine villages' sums.
    assert "万元 · 同比 284.6%（1 个两年均报送的村）" in text(page)
    assert "万元 · 同比 354.5%（同口径 1 个村）" in text(page)
    rows = rows_of(client.get(reverse("dashboards:villages"), {"year": LATE + 1}).content.decode())
    # Alone in both years: first both times, so no rank change (last year it was not first among nine).
    assert rows[0][:3] == ["1", "–", "长胜村"]
    page = client.get(reverse("dashboards:villages"), {"year": LATE + 1}).content.decode()
    assert "未报送（8 个村）" in page


def test_the_open_year_is_drawn_as_incomplete_on_the_trend(client, county, people, world):
    few_approved_of_a_new_year(world, county)
    client.force_login(people["carol"])
    page = client.get(reverse("dashboards:overview"), {"year": LATE}).content.decode()
    import json
    block = re.search(r'data-chart-for="chart-trend">(.*?)</script>', page, re.S).group(1)
    traces = json.loads(block)["data"]
    assert [t["x"][-1] for t in traces if "dash" not in t["line"]] == [LATE, LATE]
    dotted = [t for t in traces if t["line"].get("dash") == "dot"]
    assert dotted and all(t["x"] == [LATE, LATE + 1] and "未完整" in t["name"] for t in dotted)


def test_charts_state_units_and_never_abbreviate_or_split_ranks():
    import json
    bar = json.loads(charts.ranking_bar(["甲村"], [Decimal("12345678.90")], "经营性收入", "排名"))
    assert bar["layout"]["xaxis"]["title"]["text"] == "经营性收入（万元）"
    assert bar["layout"]["xaxis"]["exponentformat"] == "none" and "~f" in bar["layout"]["xaxis"]["tickformat"]
    stack = json.loads(charts.tier_stack(["甲镇"], ["一类", "未达梯队"], [[3, 2]], "梯队"))
    assert stack["layout"]["xaxis"]["title"]["text"] == "村数（个村）"
    assert stack["layout"]["xaxis"]["dtick"] == 1 and stack["layout"]["xaxis"]["tickformat"] == "d"
    ranks = json.loads(charts.rank_trend([2022, 2023, 2024], [3, 1, 2], "名次"))
    assert ranks["layout"]["yaxis"]["dtick"] == 1 and ranks["layout"]["yaxis"]["tickformat"] == "d"
    assert json.loads(charts.rank_trend([2024], [37], "名次"))["layout"]["yaxis"]["dtick"] == 10
    trend = json.loads(charts.trend([2023, 2024], [("总收入", [Decimal("1e9"), Decimal("2e9")])], "历年"))
    assert trend["layout"]["yaxis"]["title"]["text"] == "万元" and trend["layout"]["yaxis"]["exponentformat"] == "none"
    for figure in (bar, stack, ranks, trend):
        charts.validate(json.dumps(figure))


def test_pages_of_warnings_follow_each_other_in_the_order_of_the_whole_list(county, world):
    rep = report(world)
    everything = rep.select()
    pages = [rep.page(offset=offset, limit=4) for offset in range(0, 16, 4)]
    assert all(total == len(everything) for total, _ in pages)
    assert [w for _, shown in pages for w in shown] == everything
    assert [w.severity for w in rep.describe(everything)] == sorted(
        (w.severity for w in rep.describe(everything)), key=lambda s: s != "red")
