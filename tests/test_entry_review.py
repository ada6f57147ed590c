"""Review a reviewer can live with: 已退回 with its reason, 撤回, the 待审核 queue with 下一个, what needs
judgement, confirmations before a delete, and sentences and names people read."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from ledger.models import LedgerYear, LedgerYearEvent

from .entry_helpers import statement_data, transition_url, village_year_url
from .factories import make_ledger_year


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def named(people):
    """Alice and Bob with the names their accounts give them."""
    for username, name in (("alice", "王会计"), ("bob", "李审核")):
        people[username].first_name = name
        people[username].save(update_fields=["first_name"])
    return people


def test_a_rejected_year_is_returned_with_its_reason_then_edited_and_submitted_again(named, world):
    village = world["villages"]["长胜村"]
    ly = make_ledger_year(village, 2025, {"operating_revenue": "1000000"}, status="submitted")
    bob, alice = client_for(named["bob"]), client_for(named["alice"])
    page = bob.post(transition_url(village, 2025), {"action": "reject", "reason": "红光村商铺租金漏记"},
                    follow=True).content.decode()
    assert "长胜村 2025 年账目已退回修改" in page
    ly.refresh_from_db()
    assert ly.status == LedgerYear.Status.RETURNED == "returned"

    page = alice.get(village_year_url(village, 2025)).content.decode()
    notice = page[page.index('id="returned"'):page.index("</section>", page.index('id="returned"'))]
    assert "李审核" in notice and "红光村商铺租金漏记" in notice and "bob" not in notice
    assert 'name="version"' in page  # editable like a draft
    town_page = alice.get(reverse("ledger:town_villages", kwargs={"pk": world["baqiao"].pk}) + "?year=2025")
    assert "已退回" in town_page.content.decode()
    town_list = alice.get(reverse("ledger:town_list") + "?year=2025").content.decode()
    assert "status-returned" in town_list

    url = village_year_url(village, 2025)
    assert alice.post(url, statement_data(2025, {"operating_revenue": "110"}, version=ly.version,
                                          explanation="补记商铺租金")).status_code == 302
    page = alice.post(transition_url(village, 2025), {"action": "submit"}, follow=True).content.decode()
    assert "长胜村 2025 年账目已提交审核。" in page
    assert LedgerYear.objects.get(pk=ly.pk).status == "submitted"


def test_a_cadre_withdraws_a_submission_before_review_but_not_after(people, world):
    village = world["villages"]["长胜村"]
    ly = make_ledger_year(village, 2025, {"operating_revenue": "1000000"}, status="submitted")
    alice = client_for(people["alice"])
    assert "撤回提交" in alice.get(village_year_url(village, 2025)).content.decode()
    page = alice.post(transition_url(village, 2025), {"action": "withdraw"}, follow=True).content.decode()
    assert "长胜村 2025 年账目已撤回，可以继续修改后再提交。" in page
    assert LedgerYear.objects.get(pk=ly.pk).status == "draft"
    assert LedgerYearEvent.objects.filter(ledger_year=ly).latest("pk").action == "withdraw"
    # Reviewed: nothing to withdraw.
    approved = make_ledger_year(world["villages"]["幸福村"], 2025, {"operating_revenue": "1"}, status="approved")
    alice.post(transition_url(approved.village, 2025), {"action": "withdraw"})
    assert LedgerYear.objects.get(pk=approved.pk).status == "approved"
    assert client_for(people["bob"]).post(transition_url(village, 2025), {"action": "withdraw"}).status_code == 403


def test_the_queue_lists_submitted_years_and_approving_opens_the_next(people, world):
    years = {name: make_ledger_year(world["villages"][name], 2025, {"operating_revenue": "100000"},
                                    status="submitted", actor=people["alice"])
             for name in ("长胜村", "幸福村", "八桥村")}
    make_ledger_year(world["villages"]["新坝村"], 2025, {"operating_revenue": "1"}, status="submitted")  # other town
    bob = client_for(people["bob"])
    queue_url = reverse("ledger:review_queue", kwargs={"pk": world["baqiao"].pk}) + "?year=2025"
    page = bob.get(queue_url).content.decode()
    assert page.index("长胜村") < page.index("幸福村") < page.index("八桥村") and "新坝村" not in page
    assert "八桥镇 镇村账会计（填报）" in page  # who submitted, by name and role, not login

    first = village_year_url(world["villages"]["长胜村"], 2025)
    page = bob.get(first).content.decode()
    assert "待审核：第 1 个，共 3 个" in page and "审核通过，看下一个" in page
    response = bob.post(transition_url(world["villages"]["长胜村"], 2025), {"action": "approve", "next": "queue"})
    assert response.url == village_year_url(world["villages"]["幸福村"], 2025)
    bob.post(transition_url(world["villages"]["幸福村"], 2025), {"action": "approve", "next": "queue"})
    last = bob.post(transition_url(world["villages"]["八桥村"], 2025), {"action": "approve", "next": "queue"},
                    follow=True)
    assert "八桥镇 2025 年的待审核账目已全部处理完。" in last.content.decode()
    assert {LedgerYear.objects.get(pk=ly.pk).status for ly in years.values()} == {"approved"}


def test_the_reviewer_sees_what_changed_since_the_last_approval_line_by_line(named, world):
    village = world["villages"]["长胜村"]
    make_ledger_year(village, 2024, {"operating_revenue": "1000000"}, status="approved")
    ly = make_ledger_year(village, 2025, {"operating_revenue": "1000000", ("other_income", "废品回收"): "5000"},
                          status="approved")
    bob, alice = client_for(named["bob"]), client_for(named["alice"])
    bob.post(transition_url(village, 2025), {"action": "reopen", "reason": "补记租金"})
    ly.refresh_from_db()
    url = village_year_url(village, 2025)
    assert alice.post(url, statement_data(2025, {"operating_revenue": "500"}, version=ly.version,
                                          explanation="补记厂房租金")).status_code == 302
    alice.post(transition_url(village, 2025), {"action": "submit"})
    page = bob.get(url).content.decode()
    judgement = page[page.index('id="judgement"'):page.index("</section>", page.index('id="judgement"'))]
    assert "上次审核通过" in judgement
    assert "经营收入" in judgement and ">100.00<" in judgement and ">500.00<" in judgement and "王会计" in judgement
    assert "废品回收" in judgement and "（已删除）" in judgement
    # The line that raised a warning, with the explanation given for it.
    assert "超过上年（100.00 万元）的 3 倍" in judgement and "补记厂房租金" in judgement


def test_deleting_a_draft_asks_first_and_a_submitted_one_is_refused(people, world):
    village = world["villages"]["长胜村"]
    ly = make_ledger_year(village, 2025, {"operating_revenue": "1000000", "admin_expense": "1"})
    alice = client_for(people["alice"])
    url = reverse("ledger:village_year_delete", kwargs={"village_pk": village.pk, "year": 2025})
    page = alice.get(url).content.decode()
    assert "将删除 长胜村 2025 年的账目" in page and "2 行明细" in page and "总收入 100.00 万元" in page
    alice.post(url, {})  # the delete button's form without the confirmation does nothing
    assert LedgerYear.objects.filter(pk=ly.pk).exists()
    page = alice.post(url, {"confirmed": "1"}, follow=True).content.decode()
    assert "长胜村 2025 年账目已删除" in page and not LedgerYear.objects.filter(pk=ly.pk).exists()

    submitted = make_ledger_year(world["villages"]["幸福村"], 2025, {"operating_revenue": "1"}, status="submitted")
    url = reverse("ledger:village_year_delete", kwargs={"village_pk": submitted.village_id, "year": 2025})
    alice.post(url, {"confirmed": "1"})
    assert LedgerYear.objects.filter(pk=submitted.pk).exists()
    assert client_for(people["bob"]).post(url, {"confirmed": "1"}).status_code == 403


def test_bulk_approval_approves_only_the_years_the_confirmation_listed(people, world):
    listed = make_ledger_year(world["villages"]["长胜村"], 2025, {"operating_revenue": "1"}, status="submitted")
    bob = client_for(people["bob"])
    url = reverse("ledger:town_transition", kwargs={"pk": world["baqiao"].pk})
    page = bob.post(url, {"year": 2025, "action": "approve"}).content.decode()
    assert "将审核通过 八桥镇 2025 年 1 个村的账目" in page and "确认审核通过这 1 个" in page
    late = make_ledger_year(world["villages"]["幸福村"], 2025, {"operating_revenue": "1"}, status="submitted")
    page = bob.post(url, {"year": 2025, "action": "approve", "confirmed": "1", "ledger_year": [listed.pk]},
                    follow=True).content.decode()
    assert "八桥镇 2025 年 1 个村的账目已审核通过并锁定：长胜村。" in page
    assert LedgerYear.objects.get(pk=listed.pk).status == "approved"
    assert LedgerYear.objects.get(pk=late.pk).status == "submitted"  # submitted after the page: not seen


def test_history_names_people_by_their_full_name(named, world):
    village = world["villages"]["长胜村"]
    alice = client_for(named["alice"])
    alice.post(village_year_url(village, 2025), statement_data(2025, {"operating_revenue": "10"}))
    history = alice.get(village_year_url(village, 2025)).content.decode()
    history = history[history.index('id="history"'):]
    assert "王会计" in history and "alice" not in history
    assert LedgerYear.objects.get(village=village, year=2025).operating_income == Decimal("100000.00")
