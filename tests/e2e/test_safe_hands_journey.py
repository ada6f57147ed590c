"""Issue #13 in a browser, at 1280 and 360 px: the unit question a slip gets (not an explanation), the
unit switch that keeps meaning, a sticky 保存 on a phone, confirmations before bulk steps (a dialog with
the script, a page without), 已退回 with its reason, and the reviewer's 待审核 queue with 下一个."""

from decimal import Decimal

from ledger.models import LedgerLine, LedgerYear

from .. import factories


def _town():
    county = factories.make_county("321182000000", "扬中市")
    town = factories.make_town(county, 103, "八桥镇")
    villages = [factories.make_village(town, 201 + n, name) for n, name in enumerate(("长胜村", "幸福村", "八桥村"))]
    factories.make_user("cadre", "cadre", town=town, first_name="王会计")
    factories.make_user("reviewer", "reviewer", town=town, first_name="李审核")
    return town, villages


def _item(year: int, code: str) -> int:
    return factories.item_for_year(year, code).pk


def test_a_unit_slip_is_asked_about_and_the_unit_switch_keeps_meaning(journey, transactional_db):
    town, villages = _town()
    village = villages[0]
    factories.make_ledger_year(village, 2024, {"operating_revenue": "3829300", "admin_expense": "200000"},
                               status="approved")  # 382.93 万元
    url = f"/ledger/villages/{village.pk}/2025/"
    cadre = journey("safe-unit-question")
    cadre.login("cadre")
    page = cadre.goto(url)
    revenue = page.locator(f"tbody[data-item='{_item(2025, 'operating_revenue')}'] input.amount").first
    expense = page.locator(f"tbody[data-item='{_item(2025, 'admin_expense')}'] input.amount").first

    # The unit switch converts what was typed and the totals follow, labelled with the unit in force.
    revenue.fill("3,702.5")
    page.check("input[name=unit][value=yuan]")
    assert revenue.input_value() == "37025000.00"
    assert "本年（元）" in page.locator("table.statement thead").first.inner_text()
    assert page.locator(f"[data-item-total='{_item(2025, 'operating_revenue')}']").inner_text() == "37,025,000.00"
    page.click("button:has-text('恢复原数字')")  # "I typed 元 all along"
    assert revenue.input_value() == "3,702.5"
    assert page.locator(f"[data-item-total='{_item(2025, 'operating_revenue')}']").inner_text() == "3,702.50"
    revenue.fill("3702500")
    page.check("input[name=unit][value=wan]")
    assert revenue.input_value() == "370.25"
    assert page.locator(f"[data-item-total='{_item(2025, 'operating_revenue')}']").inner_text() == "370.25"
    cadre.shot("unit-switched")

    # 元 typed on the 万元 page: asked beside the line as it is typed, and again by the server on 保存.
    revenue.fill("3,531,600")
    expense.fill("20")
    expense.press("Tab")
    revenue.dispatch_event("change")
    assert "是否按元填写？" in page.locator("[data-slip-hint]").inner_text()
    page.fill("textarea[name=explanation]", "确认")
    page.click("[data-save]")
    page.wait_for_load_state("networkidle")
    question = page.locator("#unit-questions")
    assert "是否按元填写？按元即 353.16 万元。" in question.inner_text()
    assert not LedgerYear.objects.filter(village=village, year=2025).exists()  # "确认" did not clear it
    cadre.shot("unit-question")
    question.locator("button:has-text('按换算后的值保存')").click()
    page.wait_for_load_state("networkidle")
    line = LedgerLine.objects.get(ledger_year__village=village, ledger_year__year=2025, item_id=_item(2025, "operating_revenue"))
    assert line.amount == Decimal("3531600.00")
    assert "已保存（第 1 版）" in page.content()
    assert revenue.input_value() == "353.16"

    # On a phone 保存 stays on screen halfway down the long statement.
    page.set_viewport_size({"width": 360, "height": 700})
    page.locator(f"tbody[data-item='{_item(2025, 'admin_expense')}']").scroll_into_view_if_needed()
    box = page.locator("[data-save]").bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 700
    page.set_viewport_size({"width": 1280, "height": 900})
    cadre.shot("saved")

    # A double click sends the form once, and 保存 is disabled while it is on the way (the navigation
    # itself is stopped here, after the page's own handler has run, to look at the page in between).
    sent, disabled = page.evaluate("""() => new Promise(resolve => {
      const form = document.getElementById("statement-form");
      let sent = 0;
      form.addEventListener("submit", event => { if (!event.defaultPrevented) sent += 1; event.preventDefault(); });
      const save = form.querySelector("[data-save]");
      save.click();
      save.click();
      setTimeout(() => resolve([sent, save.disabled]), 50);
    })""")
    assert (sent, disabled) == (1, True)


def test_bulk_submit_asks_first_in_a_dialog_and_on_a_page_without_script(journey, browser, transactional_db):
    town, villages = _town()
    for village in villages[:2]:
        factories.make_ledger_year(village, 2025, {"other_income": "50000"})
    cadre = journey("safe-bulk-confirm")
    cadre.login("cadre")
    page = cadre.goto(f"/ledger/towns/{town.pk}/?year=2025")
    page.click("button:has-text('全部提交')")
    dialog = page.locator("#submit-dialog")
    assert dialog.is_visible()
    assert "将提交 八桥镇 2025 年 2 个村的账目" in dialog.inner_text()
    assert "长胜村" in dialog.inner_text() and "幸福村" in dialog.inner_text() and "八桥村" not in dialog.inner_text()
    cadre.shot("submit-dialog")
    dialog.locator("a:has-text('取消')").click()
    assert not dialog.is_visible()
    assert set(LedgerYear.objects.values_list("status", flat=True)) == {"draft"}

    # Without the script: a page that says the same, and only its button submits.
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 800})
    plain = context.new_page()
    plain.goto(cadre.base_url + "/accounts/login/")
    plain.fill("#id_username", "cadre")
    plain.fill("#id_password", "pw")
    plain.click("button[type=submit]")
    plain.goto(cadre.base_url + f"/ledger/towns/{town.pk}/?year=2025")
    plain.click("button:has-text('全部提交')")
    assert "将提交 八桥镇 2025 年 2 个村的账目" in plain.locator("#confirm").inner_text()
    assert set(LedgerYear.objects.values_list("status", flat=True)) == {"draft"}
    plain.click("button:has-text('确认提交这 2 个')")
    assert "八桥镇 2025 年 2 个村的账目已提交审核" in plain.content()
    context.close()
    assert set(LedgerYear.objects.values_list("status", flat=True)) == {"submitted"}


def test_returned_with_reason_and_the_reviewers_queue_with_next(journey, transactional_db):
    town, villages = _town()
    for village in villages:
        factories.make_ledger_year(village, 2025, {"operating_revenue": "1000000"}, status="submitted")
    reviewer = journey("safe-review-queue")
    reviewer.login("reviewer")
    page = reviewer.goto(f"/ledger/towns/{town.pk}/review/?year=2025")
    assert page.locator("table.review-queue tbody tr").count() == 3
    reviewer.shot("queue")
    page.click("#start-review")
    page.wait_for_load_state("networkidle")
    assert "长胜村" in page.locator("h1").inner_text() and "第 1 个，共 3 个" in page.content()
    assert page.locator("a[data-queue-next]").get_attribute("href") == f"/ledger/villages/{villages[1].pk}/2025/"
    # The 审核通过 button is the size of the others on a phone, not a tall block.
    page.set_viewport_size({"width": 360, "height": 800})
    height = page.locator("#workflow button:has-text('审核通过')").bounding_box()["height"]
    assert height < 60, height
    page.set_viewport_size({"width": 1280, "height": 900})
    reviewer.shot("first-in-queue")
    page.click("#workflow button:has-text('审核通过')")
    page.wait_for_load_state("networkidle")
    assert "幸福村" in page.locator("h1").inner_text()  # the next one opened itself
    assert "长胜村 2025 年账目已审核通过并锁定。" in page.content()
    page.fill("#reason-reject", "经营收入与合同不符，请核对")
    page.click("#workflow button:has-text('退回修改')")
    page.wait_for_load_state("networkidle")
    assert "八桥村" in page.locator("h1").inner_text()
    assert "第 1 个，共 1 个" in page.content() and page.locator("a[data-queue-next]").count() == 0  # the last one
    statuses = dict(LedgerYear.objects.values_list("village__name", "status"))
    assert statuses == {"长胜村": "approved", "幸福村": "returned", "八桥村": "submitted"}

    cadre = journey("safe-returned")
    cadre.login("cadre")
    page = cadre.goto(f"/ledger/towns/{town.pk}/?year=2025")
    assert "已退回" in page.locator("table.village-years").inner_text()
    page = cadre.goto(f"/ledger/villages/{villages[1].pk}/2025/")
    notice = page.locator("#returned")
    assert "李审核" in notice.inner_text() and "经营收入与合同不符，请核对" in notice.inner_text()
    assert "reviewer" not in notice.inner_text()
    assert page.locator("input.amount").count() > 0  # editable again
    cadre.shot("returned")
