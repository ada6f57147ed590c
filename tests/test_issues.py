"""Published 比拼晾晒 issues: numbered per county and year, frozen when published, compared with the
previous issue of the same table, seen only inside the issue's scope."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards.issues import IssueError, IssueSpec, issue_preview, issue_publish, visible_issues
from dashboards.models import IssueRow, LeagueIssue
from ledger import services
from ledger.models import LedgerYear

from . import dashboard_data
from .factories import item_for_year, make_county, make_ledger_year, make_town, make_village

WAN = Decimal(10000)


def village_spec(world, *, town=None, year=2021, metric="operating_income") -> IssueSpec:
    return IssueSpec(county=world["yangzhong"], town=town, table="villages", metric=metric, sort="value", year=year)


def publish(spec: IssueSpec, actor=None, **extra) -> LeagueIssue:
    preview = issue_preview(spec=spec)
    return issue_publish(spec=spec, title=extra.pop("title", "2021年度各村经营性收入比拼晾晒"),
                         issuing_unit=extra.pop("issuing_unit", "扬中市农业农村局"), digest=preview.digest,
                         actor=actor, **extra)


def rewrite_approved(ledger_year: LedgerYear, amounts: dict) -> None:
    """A reviewer reopens an approved year, the cadre rewrites it, it is approved again (the service path)."""
    services.ledger_year_transition(ledger_year=ledger_year, action="reopen", reason="更正经营收入")
    lines = [services.LineInput(item_id=item_for_year(ledger_year.year, code).pk, name="", amount=Decimal(amount))
             for code, amount in amounts.items()]
    services.ledger_year_replace_lines(ledger_year=ledger_year, lines=lines)
    services.ledger_year_transition(ledger_year=ledger_year, action="submit")
    services.ledger_year_transition(ledger_year=ledger_year, action="approve")


@pytest.fixture
def data(world):
    return dashboard_data.build(world)


def test_issue_holds_the_approved_ranking_numbered_first_of_the_year(world, people, data):
    issue = publish(village_spec(world), actor=people["carol"])
    assert (issue.issue_year, issue.number) == (timezone.localdate().year, 1)
    assert issue.number_label == f"{timezone.localdate().year} 年第 1 期"
    rows = list(issue.rows.all())
    # 八桥镇's eight approved villages; 新坝村's 2021 is only submitted, 宋寨村 is in another county.
    assert [r.name for r in rows[:3]] == ["八桥村", "长胜村", "幸福村"]
    assert len(rows) == 8 and "新坝村" not in [r.name for r in rows] and "宋寨村" not in [r.name for r in rows]
    first = rows[0]
    assert (first.rank, first.value, first.previous_value, first.parent_name) == (1, 400 * WAN, 300 * WAN, "八桥镇")
    # 长胜村 led in 2020 (310万 to 300万).
    assert (first.previous_year_rank, first.year_rank_change, first.previous_issue_rank) == (2, 1, None)
    assert rows[-1].name == "利民村" and rows[-1].weak == 1 and rows[-1].shell == 0
    assert issue.published_by == people["carol"]


def test_numbers_count_per_county_and_year(world, people, data):
    first = publish(village_spec(world))
    second = publish(village_spec(world, metric="total_income"))
    make_ledger_year(world["villages"]["宋寨村"], 2020, {"operating_revenue": 5 * WAN}, status="approved")
    other = publish(IssueSpec(county=world["qinyang"], town=None, table="villages", metric="operating_income",
                              sort="value", year=2021))
    assert (first.number, second.number, other.number) == (1, 2, 1)
    assert list(LeagueIssue.objects.filter(county=world["yangzhong"]).values_list("number", flat=True)) == [2, 1]


def test_edits_after_publishing_never_change_the_issue(world, data):
    issue = publish(village_spec(world))
    published = list(issue.rows.values_list("rank", "name", "value", "growth", "tier"))
    # 长胜村 (2nd, 300万) is corrected to 900万 and approved again: the live table changes, the issue does not.
    rewrite_approved(LedgerYear.objects.get(village=data["长胜村"], year=2021),
                     {"operating_revenue": 900 * WAN, "subsidy_income": 80 * WAN})
    live = issue_preview(spec=village_spec(world)).rows
    assert (live[0].name, live[0].value) == ("长胜村", 900 * WAN)
    assert list(LeagueIssue.objects.get(pk=issue.pk).rows.values_list("rank", "name", "value", "growth", "tier")) \
        == published
    assert published[1][:3] == (2, "长胜村", 300 * WAN)


def test_next_issue_shows_rank_change_against_the_previous_issue(world, data):
    first = publish(village_spec(world))
    rewrite_approved(LedgerYear.objects.get(village=data["利民村"], year=2021),
                     {"operating_revenue": 450 * WAN, "subsidy_income": 154 * WAN})
    second = publish(village_spec(world))
    assert second.previous_issue == first
    rows = {r.name: r for r in second.rows.all()}
    # 利民村 was 8th in the first issue and is 1st now: up 7 since the last issue.
    assert (rows["利民村"].rank, rows["利民村"].previous_issue_rank, rows["利民村"].issue_rank_change) == (1, 8, 7)
    assert (rows["八桥村"].rank, rows["八桥村"].issue_rank_change) == (2, -1)
    # Against last year 利民村 was 8th as well; the issue keeps both comparisons.
    assert rows["利民村"].previous_year_rank == 8


def test_previous_issue_is_the_same_table_figure_and_scope_only(world, data):
    county = publish(village_spec(world))
    publish(village_spec(world, metric="total_income"))
    town = publish(village_spec(world, town=world["baqiao"]))
    again = publish(village_spec(world))
    assert town.previous_issue is None  # a town's table is another table
    assert again.previous_issue == county


def test_town_table_issue_freezes_each_towns_statistics(world, data):
    spec = IssueSpec(county=world["yangzhong"], town=None, table="towns", metric="operating_income", sort="mean",
                     year=2021)
    issue = publish(spec, title="2021年度各镇村均经营性收入比拼晾晒")
    [row] = issue.rows.all()  # 新坝镇's only 2021 year is not approved
    assert (row.name, row.villages, row.rank) == ("八桥镇", 8, 1)
    assert row.value == sum(v[0] for v in dashboard_data.BAQIAO.values()) * WAN
    assert row.mean == (row.value / 8).quantize(Decimal("0.01"))
    assert issue.tier_labels == ["500万元以上", "300万元以上", "150万元以上"]
    assert len(row.over_line_shares) == 3


def test_publishing_refuses_figures_changed_since_the_preview(world, data):
    spec = village_spec(world)
    preview = issue_preview(spec=spec)
    rewrite_approved(LedgerYear.objects.get(village=data["红光村"], year=2021), {"operating_revenue": 1 * WAN})
    with pytest.raises(IssueError, match="预览之后数据有变化"):
        issue_publish(spec=spec, title="标题", issuing_unit="扬中市农业农村局", digest=preview.digest)
    assert not LeagueIssue.objects.exists()


@pytest.mark.parametrize(("change", "message"), [
    ({"year": 2030}, "没有已审核的数据"),
    ({"table": "towns", "sort": "value"}, "排序方式"),
    ({"metric": "closing_undistributed"}, "排名指标"),
])
def test_publishing_refuses_what_cannot_be_an_issue(world, data, change, message):
    spec = IssueSpec(**{**village_spec(world).__dict__, **change})
    with pytest.raises(IssueError, match=message):
        issue_publish(spec=spec, title="标题", issuing_unit="扬中市农业农村局", digest="x")
    assert not LeagueIssue.objects.exists()


def test_publishing_refuses_a_title_with_nothing_visible(world, data):
    with pytest.raises(IssueError, match="请填写标题"):
        publish(village_spec(world), title="\u200b　")


def test_town_of_another_county_is_refused(world, data):
    with pytest.raises(IssueError, match="不属于扬中市"):
        issue_preview(spec=village_spec(world, town=world["ziling"]))


# Who sees what ---------------------------------------------------------------------------------------------

def test_issue_is_visible_to_users_whose_scope_includes_it(world, people, data):
    county_issue = publish(village_spec(world))
    town_issue = publish(village_spec(world, town=world["baqiao"]))
    seen = {who: set(visible_issues(people[who]).values_list("pk", flat=True)) for who in people}
    both = {county_issue.pk, town_issue.pk}
    assert seen["carol"] == seen["dave"] == seen["admin"] == both
    assert seen["alice"] == seen["bob"] == {town_issue.pk}  # 八桥镇 users: their town's table only
    assert seen["erin"] == seen["oscar"] == seen["nobody"] == set()


def test_outsiders_get_404_for_an_issue_and_its_print_view(client, world, people, data):
    issue = publish(village_spec(world))
    for who in ("oscar", "erin", "alice"):
        client.force_login(people[who])
        assert client.get(reverse("dashboards:issue", args=[issue.pk])).status_code == 404
        assert client.get(reverse("dashboards:issue_print", args=[issue.pk])).status_code == 404
    client.logout()
    response = client.get(reverse("dashboards:issue", args=[issue.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("who", ["alice", "dave", "oscar"])
def test_only_county_officials_publish(client, world, people, data, who):
    client.force_login(people[who])
    assert client.get(reverse("dashboards:issue_new")).status_code == 403
    assert client.post(reverse("dashboards:issue_new"), {"table": "villages", "metric": "operating_income",
                                                         "year": 2021, "issuing_unit": "x", "confirm": "1"}
                       ).status_code == 403
    assert not LeagueIssue.objects.exists()


def test_official_cannot_publish_for_another_county(client, world, people, data):
    client.force_login(people["carol"])
    url = reverse("dashboards:issue_new") + f"?county={world['qinyang'].pk}"
    assert client.get(url).status_code == 404


# The pages ------------------------------------------------------------------------------------------------

FORM = {"table": "villages", "town": "", "metric": "operating_income", "sort": "", "year": "2021", "title": "",
        "issuing_unit": "扬中市农业农村局", "note": "请各镇对照排名查找差距。"}


def test_official_previews_then_confirms_and_gets_the_permanent_page(client, world, people, data):
    client.force_login(people["carol"])
    form = client.get(reverse("dashboards:issue_new"))
    assert "扬中市农业农村局" in form.content.decode() and "2021年" in form.content.decode()

    preview = client.post(reverse("dashboards:issue_new"), {**FORM, "preview": "1"})
    body = preview.content.decode()
    assert preview.status_code == 200 and "确认发布（8 行）" in body and "八桥村" in body
    assert "2021年度各村经营性收入比拼晾晒" in body  # the title made for an empty one
    assert not LeagueIssue.objects.exists()  # a preview publishes nothing

    digest = preview.context["preview"].digest
    done = client.post(reverse("dashboards:issue_new"), {**FORM, "title": "2021年度各村经营性收入比拼晾晒",
                                                         "digest": digest, "confirm": "1"})
    issue = LeagueIssue.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("dashboards:issue", args=[issue.pk])
    assert issue.note == "请各镇对照排名查找差距。" and issue.rows.count() == 8

    page = client.get(done["Location"]).content.decode()
    assert issue.number_label in page and "扬中市农业农村局" in page and "八桥村" in page
    assert 'id="issue-image-data"' in page and issue.number_label in page
    printed = client.get(reverse("dashboards:issue_print", args=[issue.pk])).content.decode()
    assert issue.number_label in printed and "利民村" in printed and "watermark" in printed
    listing = client.get(reverse("dashboards:issues")).content.decode()
    assert issue.number_label in listing and issue.title in listing


def test_confirm_with_stale_digest_says_so_and_publishes_nothing(client, world, people, data):
    client.force_login(people["carol"])
    response = client.post(reverse("dashboards:issue_new"), {**FORM, "digest": "stale", "confirm": "1"})
    assert response.status_code == 200 and "预览之后数据有变化" in response.content.decode()
    assert not LeagueIssue.objects.exists()


def test_form_for_a_county_without_approved_data_says_so(client, people):
    county = make_county("321183000000", "空县")
    make_village(make_town(county, 101, "空镇"), 201, "空村")
    client.force_login(people["admin"])
    body = client.get(reverse("dashboards:issue_new") + f"?county={county.pk}").content.decode()
    assert "还没有已审核的数据" in body


def test_rows_of_an_issue_are_kept_in_order(world, data):
    issue = publish(village_spec(world))
    assert list(IssueRow.objects.filter(issue=issue).values_list("position", flat=True)) == list(range(1, 9))


def test_issue_page_reads_in_a_fixed_number_of_queries(client, world, people, data, django_assert_max_num_queries):
    issue = publish(village_spec(world))
    client.force_login(people["carol"])
    with django_assert_max_num_queries(8):
        assert client.get(reverse("dashboards:issue", args=[issue.pk])).status_code == 200
