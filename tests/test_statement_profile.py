"""The whole statement where people read it: the village profile (losses, both halves, like with like
across 2023→2024), the admin's line form (a loss on the lines that may hold one) and the history."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from dashboards.rules import Rules
from dashboards.selectors import village_profile
from ledger.models import LedgerLine, LedgerYear

from .factories import item_for_year, make_ledger_year


@pytest.fixture
def two_systems(world):
    village = world["villages"]["长胜村"]
    make_ledger_year(village, 2023, {
        "operating_revenue": "1000000", "contract_remittance": "300000", "investment_income": "-12345.67",
        "admin_expense": "200000", "cadre_pay": "80000", "opening_undistributed": "-50000",
        "household_distribution": "100000"}, status="approved")
    make_ledger_year(village, 2024, {
        "operating_revenue": "1350000", "investment_income": "-2000", "admin_expense": "210000",
        "income_tax": "1000", "opening_undistributed": "-50000", "member_distribution": "90000"}, status="approved")
    return village


def cells(html: str, label: str) -> list[str]:
    """The cells of the profile statement's row `label` (the text of each <td> after the label)."""
    table = html[html.index('id="profile-statement"'):]
    table = table[:table.index("</table>")]
    row = re.search(r"<tr[^>]*><td>" + re.escape(label) + r"</td>(.*?)</tr>", table, re.S)
    assert row, f"no row {label}"
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


def test_profile_shows_both_halves_with_losses_in_the_forms_order(client, people, two_systems):
    client.force_login(people["carol"])
    html = client.get(reverse("dashboards:village", args=[two_systems.pk])).content.decode()
    assert cells(html, "投资收益") == ["-1.23", "-0.20※"]  # definition changed in 2024
    assert cells(html, "年初未分配收益") == ["-5.00", "-5.00"]
    assert cells(html, "其中：干部报酬") == ["8.00", "—"]
    assert cells(html, "向成员分配收益") == ["—", "9.00"]
    assert cells(html, "农户分配") == ["10.00", "—"]
    # 2023: 108.77 − 5 − 10; 2024: 113.8 − 0.1 (所得税) − 5 − 9
    assert cells(html, "年末未分配收益") == ["93.77", "99.70"]
    assert cells(html, "本年收益（收益总额）") == ["108.77", "113.80"]
    table = html[html.index('id="profile-statement"'):html.index("</table>", html.index('id="profile-statement"'))]
    order = ["经营收入", "发包及上交收入", "投资收益", "管理费用", "其中：干部报酬", "经营收益", "本年收益（收益总额）",
             "所得税费用", "净收益", "年初未分配收益", "可分配收益", "各项分配", "向成员分配收益", "农户分配",
             "年末未分配收益"]
    assert sorted(order, key=lambda label: table.index(f"<td>{label}</td>")) == order


def test_profile_across_2023_2024_says_where_the_contract_remittance_went(client, people, two_systems):
    client.force_login(people["carol"])
    html = client.get(reverse("dashboards:village", args=[two_systems.pk])).content.decode()
    note = html[html.index('id="system-change-2024"'):]
    note = note[:note.index("</p>")]
    assert "2023 年的发包及上交收入 30.00 万元并入经营收入和投资收益" in note and "不能直接比较" in note
    assert cells(html, "经营收入") == ["100.00", "135.00※"]  # the 2024 cell is marked, not compared
    assert cells(html, "发包及上交收入") == ["30.00※", "—"]
    assert "2024 年起并入经营收入和投资收益" in html


def test_profile_without_a_change_of_system_has_no_note(world):
    village = world["villages"]["幸福村"]
    make_ledger_year(village, 2021, {"operating_revenue": "100"}, status="approved")
    make_ledger_year(village, 2022, {"operating_revenue": "200"}, status="approved")
    profile = village_profile(village=village, year_statuses=["approved"], metric="operating_income", rules=Rules.default())
    assert profile.system_changes == [] and not any(row.notes for row in profile.statement)


def test_admin_line_form_takes_a_loss_on_投资收益_and_refuses_one_on_经营收入(client, people, world):
    ly = make_ledger_year(world["villages"]["长胜村"], 2023, {"operating_revenue": "100"})
    line = ly.lines.get()
    client.force_login(people["admin"])
    url = reverse("admin:ledger_ledgeryear_change", args=[ly.pk])

    def post(item, amount):
        return client.post(url, {
            "village": ly.village_id, "year": 2023, "opened_version": LedgerYear.objects.get(pk=ly.pk).version,
            "lines-TOTAL_FORMS": 1, "lines-INITIAL_FORMS": 1, "lines-MIN_NUM_FORMS": 0, "lines-MAX_NUM_FORMS": 1000,
            "lines-0-id": line.pk, "lines-0-ledger_year": ly.pk, "lines-0-item": item.pk, "lines-0-name": "",
            "lines-0-amount": amount, "lines-0-note": "",
            "events-TOTAL_FORMS": 1, "events-INITIAL_FORMS": 1, "events-MIN_NUM_FORMS": 0,
            "events-MAX_NUM_FORMS": 1000, "events-0-id": ly.events.get().pk, "events-0-ledger_year": ly.pk,
        })

    refused = post(item_for_year(2023, "operating_revenue"), "-50")
    assert refused.status_code == 200 and "“经营收入”不能为负数" in refused.content.decode()
    assert LedgerLine.objects.get(pk=line.pk).amount == Decimal("100.00")
    response = post(item_for_year(2023, "investment_income"), "-1,234.56")
    assert response.status_code == 302, response.content.decode()[:2000]
    ly.refresh_from_db()
    assert (ly.investment_income, ly.operating_income, ly.net_income) == (
        Decimal("-1234.56"), Decimal("-1234.56"), Decimal("-1234.56"))


def test_history_names_the_new_lines_with_their_amounts(client, people, world):
    village = world["villages"]["长胜村"]
    make_ledger_year(village, 2023, {"admin_expense": "200000", "cadre_pay": "80000", "opening_undistributed": "-5000",
                                     "welfare_fund": "1000"})
    client.force_login(people["alice"])
    html = client.get(reverse("ledger:village_year", args=[village.pk, 2023])).content.decode()
    history = html[html.index('class="history-table"'):]
    for name, amount in (("其中：干部报酬", "8.00"), ("年初未分配收益", "-0.50"), ("提取应付福利费", "0.10")):
        row = re.search(r"<td>" + re.escape(name) + r"</td>.*?</tr>", history, re.S)
        assert row and amount in row.group(0), name
