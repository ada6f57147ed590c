"""草稿 → 已提交 → 已审核, back with a reason; approved years are read-only for everyone; every change
of an amount and every step is in the history on the page; a late save from a second tab is refused
with what the other person changed, and the late typist's input stays on screen."""

from decimal import Decimal

import pytest
from django.test import Client

from ledger.models import LedgerLine, LedgerYear, LedgerYearEvent

from .entry_helpers import statement_data, transition_url, village_year_url
from .factories import make_ledger_year


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_cadre_enters_submits_reviewer_approves_and_then_nobody_can_change_it(people, village):
    alice, bob = client_for(people["alice"]), client_for(people["bob"])
    url = village_year_url(village, 2025)
    assert alice.post(url, statement_data(2025, {"operating_revenue": "120", "admin_expense": "20"})).status_code == 302
    ly = LedgerYear.objects.get(village=village, year=2025)
    alice.post(url, statement_data(2025, {"operating_revenue": "125", "admin_expense": "20"}, version=ly.version))

    assert alice.post(transition_url(village, 2025), {"action": "submit"}).status_code == 302
    ly.refresh_from_db()
    assert ly.status == "submitted" and ly.submitted_at is not None
    # Submitted: the cadre no longer gets inputs, the reviewer gets the approve button.
    assert 'name="version"' not in alice.get(url).content.decode()
    assert "审核通过" in bob.get(url).content.decode()

    assert bob.post(transition_url(village, 2025), {"action": "approve"}).status_code == 302
    ly.refresh_from_db()
    assert ly.status == "approved" and ly.approved_by == people["bob"]

    for who in ("alice", "admin"):
        response = client_for(people[who]).post(
            url, statement_data(2025, {"operating_revenue": "999"}, version=ly.version))
        assert response.status_code == 409
        assert "不能修改" in response.content.decode()
    page = alice.get(url).content.decode()
    assert 'name="version"' not in page and "已审核锁定" in page
    ly.refresh_from_db()
    assert ly.operating_income == Decimal("1250000.00")


def test_submit_of_an_empty_year_is_refused(people, village):
    make_ledger_year(village, 2025, {})
    alice = client_for(people["alice"])
    response = alice.post(transition_url(village, 2025), {"action": "submit"}, follow=True)
    assert "尚未填写任何金额，不能提交。" in response.content.decode()
    assert LedgerYear.objects.get(village=village, year=2025).status == "draft"


@pytest.mark.parametrize("action", ["reject", "reopen"])
def test_reject_and_reopen_need_a_reason_which_is_recorded(people, village, action):
    ly = make_ledger_year(village, 2025, {"operating_revenue": "1000000"},
                          status="submitted" if action == "reject" else "approved")
    bob = client_for(people["bob"])
    response = bob.post(transition_url(village, 2025), {"action": action, "reason": "  "}, follow=True)
    assert "必须填写原因" in response.content.decode()
    assert LedgerYear.objects.get(pk=ly.pk).status == ly.status

    response = bob.post(transition_url(village, 2025), {"action": action, "reason": "红光村商铺租金漏记"}, follow=True)
    ly.refresh_from_db()
    assert ly.status == ("returned" if action == "reject" else "draft")  # 退回 is its own state
    event = LedgerYearEvent.objects.filter(ledger_year=ly).latest("pk")
    assert (event.action, event.actor, event.reason) == (action, people["bob"], "红光村商铺租金漏记")
    page = response.content.decode()
    assert "红光村商铺租金漏记" in page and 'name="version"' not in page  # the reviewer does not type amounts
    assert 'name="version"' in client_for(people["alice"]).get(village_year_url(village, 2025)).content.decode()


def test_a_step_that_does_not_fit_the_state_is_refused_with_a_message(people, village):
    make_ledger_year(village, 2025, {"operating_revenue": "1000000"})
    response = client_for(people["bob"]).post(transition_url(village, 2025), {"action": "approve"}, follow=True)
    assert "长胜村 2025 年账目当前状态为“草稿”，不能审核通过。" in response.content.decode()
    response = client_for(people["bob"]).post(transition_url(village, 2025), {"action": "publish"})
    assert response.status_code == 400


def test_history_shows_who_changed_which_amount_from_what_to_what_and_how(people, village):
    alice = client_for(people["alice"])
    url = village_year_url(village, 2025)
    alice.post(url, statement_data(2025, {("operating_revenue", "厂房租金"): "80", "admin_expense": "5"}))
    ly = LedgerYear.objects.get(village=village, year=2025)
    alice.post(url, statement_data(2025, {("operating_revenue", "厂房租金"): "85.5"}, version=ly.version))

    rows = list(LedgerLine.history.filter(ledger_year_id=ly.pk).order_by("history_id")
                .values_list("history_type", "name", "amount", "history_user__username", "history_source"))
    assert rows == [
        ("+", "厂房租金", Decimal("800000.00"), "alice", "form"),
        ("+", "", Decimal("50000.00"), "alice", "form"),
        ("~", "厂房租金", Decimal("855000.00"), "alice", "form"),
        ("-", "", Decimal("50000.00"), "alice", "form"),
    ]
    page = alice.get(url).content.decode()
    history = page[page.index('id="history"'):]
    assert "经营收入 · 厂房租金" in history
    assert ">80.00<" in history and ">85.50<" in history
    assert history.count("网页填报") == 4 and "删除" in history and "修改" in history


def test_history_tells_import_and_admin_changes_apart(people, village):
    from ledger import services

    from .factories import item_for_year

    ly = make_ledger_year(village, 2025, {})
    line = services.LineInput(item_id=item_for_year(2025, "operating_revenue").pk, amount=Decimal("10000"))
    services.ledger_year_replace_lines(ledger_year=ly, lines=[line], actor=people["dave"], source="import",
                                       reason="八桥镇2025台账.xlsx")
    page = client_for(people["alice"]).get(village_year_url(village, 2025)).content.decode()
    # People by the name the pages give them (no full name here: role and place), never the login name.
    history = page[page.index('id="history"'):]
    assert "批量导入" in history and "八桥镇2025台账.xlsx" in history and "扬中市 统计/经管人员（导入导出）" in history
    assert "dave" not in history


def test_second_tab_saving_late_gets_a_conflict_showing_the_other_change_and_keeps_its_typing(people, village):
    make_ledger_year(village, 2025, {"operating_revenue": "1000000"})
    url = village_year_url(village, 2025)
    first, second = client_for(people["alice"]), client_for(people["admin"])
    opened_version = LedgerYear.objects.get(village=village, year=2025).version
    # Both open the page at the same version; the first saves.
    assert f'name="version" value="{opened_version}"' in second.get(url).content.decode()
    assert first.post(url, statement_data(2025, {"operating_revenue": "110"}, version=opened_version)).status_code == 302

    response = second.post(url, statement_data(2025, {"operating_revenue": "105", "admin_expense": "7"},
                                               version=opened_version))
    page = response.content.decode()
    assert response.status_code == 409
    assert "已被他人修改" in page
    conflict = page[page.index('id="conflict"'):page.index("</section>", page.index('id="conflict"'))]
    assert "八桥镇 镇村账会计（填报）" in conflict and "经营收入" in conflict and ">100.00<" in conflict and ">110.00<" in conflict
    # The late typing is still on screen, and the form now carries the current version.
    assert 'value="105"' in page and 'value="7"' in page
    current = LedgerYear.objects.get(village=village, year=2025)
    assert f'name="version" value="{current.version}"' in page
    # Nothing was overwritten.
    assert current.operating_income == Decimal("1100000.00")

    # Having seen the change, saving again is a deliberate choice and goes through.
    again = second.post(url, statement_data(2025, {"operating_revenue": "105", "admin_expense": "7"},
                                            version=current.version))
    assert again.status_code == 302
    assert LedgerYear.objects.get(pk=current.pk).operating_income == Decimal("1050000.00")


def test_second_tab_on_a_year_that_did_not_exist_yet_also_gets_the_conflict(people, village):
    url = village_year_url(village, 2025)
    first, second = client_for(people["alice"]), client_for(people["admin"])
    assert first.post(url, statement_data(2025, {"operating_revenue": "110"}, version=0)).status_code == 302
    response = second.post(url, statement_data(2025, {"operating_revenue": "90"}, version=0))
    assert response.status_code == 409
    assert "已被他人修改" in response.content.decode() and 'value="90"' in response.content.decode()
    assert LedgerYear.objects.get(village=village, year=2025).operating_income == Decimal("1100000.00")


def town_transition(client, town, year, action, confirm=None):
    """The bulk button's POST; with `confirm` (the years the confirmation page listed), its confirming POST."""
    from django.urls import reverse

    data = {"year": year, "action": action}
    if confirm is not None:
        data.update(confirmed="1", ledger_year=[ly.pk for ly in confirm])
    return client.post(reverse("ledger:town_transition", kwargs={"pk": town.pk}), data)


def test_town_submit_all_and_approve_all_move_every_year_that_can_move(people, world):
    baqiao = world["baqiao"]
    filled = [make_ledger_year(world["villages"][name], 2024, {"other_income": "5"}) for name in ("长胜村", "幸福村")]
    empty = make_ledger_year(world["villages"]["八桥村"], 2024, {})
    other_year = make_ledger_year(world["villages"]["长胜村"], 2023, {"other_income": "5"})
    other_town = make_ledger_year(world["villages"]["新坝村"], 2024, {"other_income": "5"})
    cadre, reviewer = Client(), Client()
    cadre.force_login(people["alice"])
    reviewer.force_login(people["bob"])

    page = cadre.get(f"/ledger/towns/{baqiao.pk}/?year=2024").content.decode()
    assert "2024 年全部提交（2 个待提交）" in page and "全部审核通过" not in page
    assert town_transition(cadre, baqiao, 2024, "approve").status_code == 403  # a cadre does not review
    # The button asks first: a page naming the village-years that will move, nothing moved yet.
    response = town_transition(cadre, baqiao, 2024, "submit")
    confirm = response.content.decode()
    assert response.status_code == 200 and "将提交 八桥镇 2024 年 2 个村的账目" in confirm
    assert "长胜村" in confirm and "幸福村" in confirm and "八桥村" not in confirm
    assert all(LedgerYear.objects.get(pk=ly.pk).status == "draft" for ly in filled)
    response = town_transition(cadre, baqiao, 2024, "submit", confirm=filled)
    assert response.status_code == 302
    statuses = {ly.pk: LedgerYear.objects.get(pk=ly.pk).status for ly in [*filled, empty, other_year, other_town]}
    assert statuses == {filled[0].pk: "submitted", filled[1].pk: "submitted", empty.pk: "draft",
                        other_year.pk: "draft", other_town.pk: "draft"}
    assert "2024 年全部审核通过（2 个已提交）" in reviewer.get(f"/ledger/towns/{baqiao.pk}/?year=2024").content.decode()
    town_transition(reviewer, baqiao, 2024, "approve", confirm=filled)
    for ly in filled:
        ly.refresh_from_db()
        assert (ly.status, ly.approved_by_id, ly.version) == ("approved", people["bob"].pk, 4)
        assert list(ly.events.values_list("action", flat=True)) == ["create", "submit", "approve"]
    assert LedgerYear.history.filter(id=filled[0].pk, status="approved").exists()


def test_town_bulk_steps_are_refused_outside_scope_and_for_unknown_actions(people, world):
    make_ledger_year(world["villages"]["长胜村"], 2024, {"other_income": "5"})
    outsider = Client()
    outsider.force_login(people["erin"])  # cadre of 新坝镇
    assert town_transition(outsider, world["baqiao"], 2024, "submit").status_code == 404
    cadre = Client()
    cadre.force_login(people["alice"])
    assert town_transition(cadre, world["baqiao"], 2024, "reopen").status_code == 400
    assert town_transition(cadre, world["baqiao"], "x", "submit").status_code == 400
    assert set(LedgerYear.objects.values_list("status", flat=True)) == {"draft"}
