"""The issue's "done when", in a real browser: the cadre enters and submits a village's 2025 accounts
(figures computed as she types), a second tab that saved late gets the conflict instead of
overwriting, the reviewer approves, the cadre can no longer change anything, and the history shows
every change."""

from decimal import Decimal

from ledger.models import LedgerYear

from .. import factories


def test_cadre_enters_and_submits_reviewer_approves_late_tab_gets_a_conflict(journey, transactional_db):
    county = factories.make_county("321182000000", "扬中市")
    town = factories.make_town(county, 103, "八桥镇")
    village = factories.make_village(town, 201, "长胜村")
    factories.make_user("cadre", "cadre", town=town)
    factories.make_user("reviewer", "reviewer", town=town)
    factories.make_ledger_year(village, 2024, {"operating_revenue": "1000000", "admin_expense": "200000"},
                               status="approved")
    url = f"/ledger/villages/{village.pk}/2025/"

    cadre = journey("entry-cadre")
    cadre.login("cadre")
    assert "八桥镇各村台账" in cadre.page.content()  # the landing page is her town's villages
    cadre.shot("town-villages")
    cadre.page.click(f"a[href='{url}']")
    cadre.page.wait_for_load_state("networkidle")

    # A second tab opened on the same version, before the first one saves.
    late_tab = cadre.context.new_page()
    late_tab.goto(cadre.base_url + url)

    amounts = cadre.page.locator("input.amount")
    amounts.nth(0).fill("1,150.5")  # 经营收入, 万元
    amounts.nth(3).fill("180")  # 管理费用
    # The script computes the figures as she types (the server recomputes on save).
    assert cadre.page.locator("[data-figure=total_income]").inner_text() == "1,150.50"
    assert cadre.page.locator("[data-figure=net_income]").inner_text() == "970.50"
    cadre.shot("typed")
    cadre.page.click("button.primary:has-text('保存')")
    cadre.page.wait_for_load_state("networkidle")
    # 1,150.5 万 is more than 3× last year's 100 万: the page asks for an explanation and keeps the input.
    assert "超过上年（100.00 万元）的 3 倍" in cadre.page.content()
    assert cadre.page.locator("input.amount").nth(0).input_value() == "1,150.5"
    cadre.shot("warning")
    cadre.page.fill("textarea[name=explanation]", "新建标准厂房全部出租")
    cadre.page.click("#warnings button.primary")
    cadre.page.wait_for_load_state("networkidle")
    assert "已保存" in cadre.page.content()
    ly = LedgerYear.objects.get(village=village, year=2025)
    assert ly.operating_income == Decimal("11505000.00") and ly.net_income == Decimal("9705000.00")

    # The late tab saves what it typed: refused, with the other change shown and its typing kept.
    late_tab.locator("input.amount").nth(0).fill("120")
    late_tab.click("button.primary:has-text('保存')")
    late_tab.wait_for_load_state("networkidle")
    assert "已被他人修改" in late_tab.content()
    assert "1,150.50" in late_tab.locator("#conflict").inner_text()
    assert late_tab.locator("input.amount").nth(0).input_value() == "120"
    assert LedgerYear.objects.get(pk=ly.pk).operating_income == Decimal("11505000.00")
    late_tab.close()

    cadre.page.reload()
    cadre.page.click("button:has-text('提交审核')")
    cadre.page.wait_for_load_state("networkidle")
    assert LedgerYear.objects.get(pk=ly.pk).status == "submitted"

    reviewer = journey("entry-reviewer")
    reviewer.login("reviewer")
    reviewer.goto(url)
    reviewer.shot("review")
    reviewer.page.click("button:has-text('审核通过')")
    reviewer.page.wait_for_load_state("networkidle")
    assert LedgerYear.objects.get(pk=ly.pk).status == "approved"

    cadre.goto(url)
    assert cadre.page.locator("input.amount").count() == 0
    history = cadre.page.locator("#history").inner_text()
    assert "新增" in history and "新建标准厂房全部出租" in history and "审核通过" in history
    cadre.shot("approved")
