"""The figures the dashboards show, against numbers computed by hand from tests/dashboard_data.py."""

from decimal import Decimal

import pytest

from dashboards import selectors
from dashboards.rules import scope_rules
from dashboards.services import ThresholdInput, tier_scheme_update
from ledger.models import LedgerYear
from villages.models import PartyOrganization, PartyOrganizationMembership

from . import dashboard_data

WAN = Decimal(10000)


@pytest.fixture
def baqiao(world):
    return dashboard_data.build(world)


def county_scope(world):
    return selectors.Scope(county=world["yangzhong"])


def test_baqiao_2021_tiers_are_as_the_report_states_them(world, baqiao):
    scope = county_scope(world)
    summary = selectors.overview_page(scope=scope, year=2021, year_statuses=selectors.APPROVED, metric="operating_income",
                                     rules=scope_rules(scope.county_ids)).summary
    assert [(label, n) for label, _, n in summary.tier_counts] == [
        ("500万元以上", 1), ("300万元以上", 4), ("150万元以上", 3), ("未达梯队", 0)]


def test_overview_headline_figures(world, baqiao):
    scope = county_scope(world)
    summary = selectors.overview_page(scope=scope, year=2021, year_statuses=selectors.APPROVED, metric="operating_income",
                                     rules=scope_rules(scope.county_ids)).summary
    # 总收入 2021 = 520+380+350+330+310+200+180+160 = 2430 万; 2020 = 400+390+250+310+320+160+180+155+3 = 2168 万.
    assert summary.reporting == 8
    assert summary.villages_in_scope == 9
    assert summary.total_income == 2430 * WAN
    assert summary.previous_total_income == 2168 * WAN
    # Growth compares like with like: the 8 villages that reported both years (新坝村's 2021 is only
    # submitted), 2430 万 against their 2165 万 of 2020.
    assert summary.comparable == 8
    assert summary.comparable_previous_total_income == 2165 * WAN
    assert summary.total_growth == Decimal("12.2")
    # 经营性收入 2021 = 1796 万 over 8 villages.
    assert summary.operating_mean == Decimal("224.50") * WAN
    assert (summary.weak, summary.shell) == (1, 0)


@pytest.mark.parametrize("level", ["town", "province"])
def test_overview_headline_adds_up_the_villages_of_a_town_and_of_the_province(world, baqiao, level):
    scope = selectors.Scope(county=world["yangzhong"], town=world["baqiao"]) if level == "town" else selectors.Scope()
    page = selectors.overview_page(scope=scope, year=2021, year_statuses=selectors.APPROVED, metric="operating_income", rules=scope_rules(scope.county_ids))
    summary = page.summary
    # 八桥镇's eight villages; the province adds 沁阳市's 宋寨村 (999万 in 2021, nothing in 2020) and
    # 新坝村 (2020 approved, 2021 only submitted).
    if level == "town":
        assert (summary.villages_in_scope, summary.reporting, summary.previous_reporting) == (8, 8, 8)
        assert (summary.total_income, summary.previous_total_income) == (2430 * WAN, 2165 * WAN)
        assert [n for _, _, n in summary.tier_counts] == [1, 4, 3, 0]
        assert summary.operating_mean == Decimal("224.50") * WAN  # 1796万 / 8
        assert page.units == [] and len(page.villages) == 8
    else:
        assert (summary.villages_in_scope, summary.reporting, summary.previous_reporting) == (10, 9, 9)
        assert (summary.total_income, summary.previous_total_income) == (3429 * WAN, 2168 * WAN)
        assert [n for _, _, n in summary.tier_counts] == [2, 4, 3, 0]
        assert summary.operating_mean == Decimal("3105555.56")  # (1796万 + 999万) / 9
        assert [u.name for u in page.units] == ["沁阳市", "扬中市"]
    assert summary.total_income == sum(amount for _, amount in summary.composition)
    assert dict(summary.composition)["补助收入"] == 634 * WAN  # 八桥镇's villages in 2021; 宋寨村 has none
    latest = LedgerYear.objects.filter(year=2021, status="approved", **scope.ledger_filter).latest("updated_at")
    assert summary.as_of == latest.updated_at
    assert [r["year"] for r in page.trend] == [2020, 2021]
    assert page.trend[-1]["total_income"] == summary.total_income


def test_village_ranking_rank_change_and_growth(world, baqiao):
    scope = county_scope(world)
    rows = {r.village_id: r for r in selectors.village_ranking(
        scope=scope, year=2021, year_statuses=selectors.APPROVED, metric="operating_income", rules=scope_rules(scope.county_ids))}
    first = rows[baqiao["八桥村"].pk]
    assert (first.rank, first.previous_rank, first.rank_change) == (1, 2, 1)
    assert first.growth == Decimal("33.3")  # 400 vs 300
    changsheng = rows[baqiao["长胜村"].pk]
    assert (changsheng.rank, changsheng.rank_change, changsheng.growth) == (2, -1, Decimal("-3.2"))
    xingfu = rows[baqiao["幸福村"].pk]
    assert (xingfu.rank, xingfu.previous_rank) == (3, 5)  # 2020: 310, 300, 260, 250, 200 (新坝村 3 last)
    assert rows[baqiao["利民村"].pk].weak and not rows[baqiao["利民村"].pk].shell
    assert baqiao["新坝村"].pk not in rows  # its 2021 is only submitted


def test_ties_share_a_rank_and_the_next_rank_is_skipped(world):
    from .factories import make_ledger_year, make_village

    for number, amount in ((201, 100), (202, 100), (203, 50)):
        make_ledger_year(make_village(world["baqiao"], number), 2021, {"operating_revenue": amount * WAN},
                         status="approved")
    scope = county_scope(world)
    rows = selectors.village_ranking(scope=scope, year=2021, year_statuses=selectors.APPROVED, metric="operating_income",
                                     rules=scope_rules(scope.county_ids))
    assert [r.rank for r in rows] == [1, 1, 3]


def test_submitted_figures_count_only_when_asked(world, baqiao):
    scope = county_scope(world)
    rules = scope_rules(scope.county_ids)
    approved = selectors.village_ranking(scope=scope, year=2021, year_statuses=selectors.APPROVED, metric="operating_income", rules=rules)
    both = selectors.village_ranking(scope=scope, year=2021, year_statuses=selectors.APPROVED_AND_SUBMITTED, metric="operating_income", rules=rules)
    assert len(both) == len(approved) + 1
    assert both[0].village_id == baqiao["新坝村"].pk and both[0].status == "submitted"


def test_town_table_statistics(world, baqiao):
    scope = county_scope(world)
    rows = selectors.unit_table(scope=scope, year=2021, year_statuses=selectors.APPROVED_AND_SUBMITTED, metric="operating_income",
                                rules=scope_rules(scope.county_ids))
    by_name = {r.name: r for r in rows}
    baqiao_row = by_name["八桥镇"]
    assert baqiao_row.villages == 8
    assert baqiao_row.total == 1796 * WAN
    assert baqiao_row.mean == Decimal("224.50") * WAN  # 村均
    assert baqiao_row.median == 260 * WAN  # (270 + 250) / 2
    assert baqiao_row.over_line_shares == [Decimal("12.5"), Decimal("62.5"), Decimal("100.0")]
    assert baqiao_row.bands == [1, 4, 3, 0]
    assert baqiao_row.weak == 1
    assert baqiao_row.growth == Decimal("13.3")  # 1796 vs 1585
    # 新坝镇 (submitted 900万) has the higher 村均 and ranks first.
    assert [r.name for r in rows] == ["新坝镇", "八桥镇"]
    assert by_name["新坝镇"].rank == 1 and by_name["新坝镇"].median == 900 * WAN


def test_tier_settings_change_the_tiers(world, baqiao, people):
    tier_scheme_update(
        county=world["yangzhong"], actor=people["carol"],
        thresholds=[ThresholdInput("一类村", "total_income", 350 * WAN),
                    ThresholdInput("二类村", "total_income", 200 * WAN)],
        weak_metric="operating_income", weak_line=140 * WAN, shell_metric="operating_income", shell_line=10 * WAN,
    )
    scope = county_scope(world)
    summary = selectors.overview_page(scope=scope, year=2021, year_statuses=selectors.APPROVED, metric="operating_income",
                                     rules=scope_rules(scope.county_ids)).summary
    assert [(label, n) for label, _, n in summary.tier_counts] == [("一类村", 3), ("二类村", 3), ("未达梯队", 2)]
    assert (summary.weak, summary.shell) == (2, 1)  # 红光村 130万 and 利民村 6万; 利民村 is also 空壳村


def test_tier_settings_refuse_rising_thresholds(world):
    from dashboards.services import TierSettingsError

    with pytest.raises(TierSettingsError, match="起点应低于"):
        tier_scheme_update(county=world["yangzhong"], thresholds=[
            ThresholdInput("低", "total_income", 100 * WAN), ThresholdInput("高", "total_income", 500 * WAN)],
            weak_metric="operating_income", weak_line=10 * WAN, shell_metric="operating_income", shell_line=5 * WAN)


def test_counties_with_other_rules_are_ranked_by_their_own_tiers(world, baqiao):
    tier_scheme_update(county=world["qinyang"], thresholds=[ThresholdInput("千万村", "operating_income", 1000 * WAN)],
                       weak_metric="operating_income", weak_line=10 * WAN, shell_metric="operating_income",
                       shell_line=5 * WAN)
    scope = selectors.Scope()
    rules = scope_rules(scope.county_ids)
    rows = {r.village_id: r for r in selectors.village_ranking(scope=scope, year=2021, year_statuses=selectors.APPROVED, metric="operating_income",
                                                                 rules=rules)}
    assert rows[world["villages"]["宋寨村"].pk].tier == "未达梯队"  # 999万 < 1000万 in 沁阳市
    assert rows[baqiao["八桥村"].pk].tier == "500万元以上"
    counties = selectors.unit_table(scope=scope, year=2021, year_statuses=selectors.APPROVED, metric="operating_income", rules=rules, by="county")
    assert {r.name: r.bands[0] for r in counties} == {"扬中市": 1, "沁阳市": 0}


def test_clusters_ranked_by_sum_and_per_village_mean(world, baqiao):
    big = PartyOrganization.objects.create(name="厂房联建党建联盟", kind="alliance", county=world["yangzhong"])
    small = PartyOrganization.objects.create(name="红光组团", kind="cluster", county=world["yangzhong"])
    for name in ("长胜村", "幸福村", "永胜村", "利民村"):
        PartyOrganizationMembership.objects.create(organization=big, village=baqiao[name])
    PartyOrganizationMembership.objects.create(organization=small, village=baqiao["八桥村"])
    scope = county_scope(world)
    by_total = selectors.organization_ranking(scope=scope, year=2021, year_statuses=selectors.APPROVED, metric="operating_income")
    assert [(r.name, r.members, r.total) for r in by_total] == [
        ("厂房联建党建联盟", 4, 866 * WAN), ("红光组团", 1, 400 * WAN)]
    assert by_total[0].mean == Decimal("216.50") * WAN
    assert by_total[0].growth == Decimal("13.2")  # 866 vs 310+200+250+5 = 765: +101
    by_mean = selectors.organization_ranking(scope=scope, year=2021, year_statuses=selectors.APPROVED, metric="operating_income", sort="mean")
    assert [r.name for r in by_mean] == ["红光组团", "厂房联建党建联盟"]


def test_village_profile_ranks_over_the_years(world, baqiao):
    from dashboards.rules import Rules

    profile = selectors.village_profile(village=baqiao["幸福村"], year_statuses=selectors.APPROVED, metric="operating_income", rules=Rules.default())
    assert [(y.ledger_year.year, y.county_rank, y.county_count, y.town_rank, y.town_count) for y in profile.years] == [
        (2020, 5, 9, 5, 8), (2021, 3, 8, 3, 8)]
    labels = [row.label for row in profile.statement]
    # The form's order: 经营收益 stands where the statement has it, before 补助收入
    assert labels[:4] == ["经营收入", "发包及上交收入", "经营收益", "补助收入"]
    income = next(row for row in profile.statement if row.label == "总收入")
    assert income.amounts == {2020: 250 * WAN, 2021: 350 * WAN}


# A county ranks both years whole; a province's first pages count who is ahead ("top"), deeper pages
# rank the year with a window ("window", forced here by a zero depth).
@pytest.mark.parametrize("way", ["county", "top", "window"])
@pytest.mark.parametrize("include_submitted", [False, True])
def test_a_page_of_the_table_has_the_same_ranks_as_the_whole_table(world, baqiao, include_submitted, way,
                                                                    monkeypatch):
    from .factories import make_ledger_year, make_village

    # A tie last year, to check that both ways rank ties alike.
    tied = make_village(world["baqiao"], 240, "并列村")
    make_ledger_year(tied, 2020, {"operating_revenue": 310 * WAN}, status="approved")
    make_ledger_year(tied, 2021, {"operating_revenue": 100 * WAN}, status="approved")
    if way == "window":
        monkeypatch.setattr(selectors.villages, "TOP_DEPTH", 0)
    scope = county_scope(world) if way == "county" else selectors.Scope()
    rules = scope_rules(scope.county_ids)
    statuses = selectors.statuses(include_submitted)
    whole, total = selectors.ranked_villages(scope=scope, year=2021, year_statuses=statuses, metric="operating_income", rules=rules, sort="town")
    expected = sorted((r.rank, r.village_id, r.previous_rank, r.previous_value) for r in whole)
    pages = []
    for offset in range(0, total, 3):
        rows, page_total = selectors.ranked_villages(scope=scope, year=2021, year_statuses=statuses, metric="operating_income", rules=rules, limit=3,
                                                     offset=offset)
        assert page_total == total
        pages += [(r.rank, r.village_id, r.previous_rank, r.previous_value) for r in rows]
    assert pages == expected
    previous_ranks = {village_id: previous_rank for _, village_id, previous_rank, _ in pages}
    assert previous_ranks[tied.pk] == previous_ranks[baqiao["长胜村"].pk] == 1  # both 310万 in 2020
    assert previous_ranks[baqiao["八桥村"].pk] == 3
    if way != "county":
        assert world["villages"]["宋寨村"].pk in previous_ranks  # the other county is in the province


@pytest.mark.parametrize("sort", sorted(selectors.UNIT_SORTS))
def test_a_page_of_the_town_table_is_the_whole_table_cut(world, baqiao, sort):
    from .factories import make_ledger_year, make_town, make_village

    # More towns in 扬中市, some tied on every figure, so that a page boundary falls between ties.
    for number in range(110, 116):
        town = make_town(world["yangzhong"], number, f"{number}镇")
        for village_number, amount in ((1, 100 + number % 2), (2, 50)):
            village = make_village(town, village_number, f"{number}镇{village_number}村")
            make_ledger_year(village, 2020, {"operating_revenue": 80 * WAN}, status="approved")
            make_ledger_year(village, 2021, {"operating_revenue": amount * WAN}, status="approved")
    scope = selectors.Scope()
    rules = scope_rules(scope.county_ids)
    statuses = selectors.APPROVED_AND_SUBMITTED

    def facts(row):
        return (row.pk, row.name, row.code, row.parent_name, row.rank, row.villages, row.total, row.mean, row.median,
                row.highest, row.over_line,
                row.bands, row.weak, row.shell, row.previous_total, row.growth)

    whole = selectors.unit_table(scope=scope, year=2021, year_statuses=statuses, metric="operating_income", rules=rules, sort=sort)
    pages = []
    for offset in range(0, len(whole), 4):
        rows, total = selectors.unit_table_page(scope=scope, year=2021, year_statuses=statuses, metric="operating_income", rules=rules, sort=sort,
                                                limit=4, offset=offset)
        assert total == len(whole)
        pages += [facts(r) for r in rows]
    assert pages == [facts(r) for r in whole]


@pytest.mark.parametrize(("sort", "key"), [
    ("growth", lambda r: -(r.growth if r.growth is not None else Decimal("-1e9"))),
    ("-growth", lambda r: r.growth if r.growth is not None else Decimal("1e9")),
    ("change", lambda r: -(r.rank_change if r.rank_change is not None else -10**6)),
    ("-rank", lambda r: -r.rank),
])
def test_table_sorts_by_growth_rank_change_and_reverse_rank(world, baqiao, sort, key):
    scope = county_scope(world)
    rows, _ = selectors.ranked_villages(scope=scope, year=2021, year_statuses=selectors.APPROVED, metric="operating_income",
                                        rules=scope_rules(scope.county_ids), sort=sort)
    assert [key(r) for r in rows] == sorted(key(r) for r in rows)
    assert rows[0].village_id == {"growth": baqiao["幸福村"].pk, "-growth": baqiao["红光村"].pk,
                                  "change": baqiao["幸福村"].pk, "-rank": baqiao["利民村"].pk}[sort]
