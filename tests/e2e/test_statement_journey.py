"""The whole statement in a browser (issue #11): an investment loss typed with a minus sign, the
derived rows of both halves computed as she types, and the 收益分配 half folded away on a phone."""

from decimal import Decimal

from ledger.models import LedgerYear

from .. import factories


def test_cadre_types_a_loss_and_sees_both_halves_computed(journey, transactional_db):
    county = factories.make_county("321182000000", "扬中市")
    town = factories.make_town(county, 103, "八桥镇")
    village = factories.make_village(town, 201, "长胜村")
    factories.make_user("cadre", "cadre", town=town)
    factories.make_ledger_year(village, 2022, {"operating_revenue": "500000", "reserve_fund": "100000"},
                               status="approved")  # 年末未分配收益 40 万, carried into 2023
    url = f"/ledger/villages/{village.pk}/2023/"

    cadre = journey("statement-cadre")
    cadre.login("cadre")
    page = cadre.goto(url)
    assert page.locator("details.distribution-half").get_attribute("open") is not None  # open on a desktop

    def amount(code: str):
        return page.locator(f"tbody[data-item='{factories.item_for_year(2023, code).pk}'] input.amount").first

    assert amount("opening_undistributed").input_value() == "40.00"  # prefilled from 2022's 年末未分配收益
    amount("operating_revenue").fill("100")
    amount("investment_income").fill("-12.5")  # an investment loss
    amount("admin_expense").fill("30")
    amount("cadre_pay").fill("12")  # 其中: never subtracted again
    amount("household_distribution").fill("20")
    assert amount("investment_income").get_attribute("aria-invalid") == "false"
    assert page.locator("[data-figure=operating_profit]").inner_text() == "57.50"  # 100 − 12.5 − 30
    assert page.locator("[data-figure=total_income]").inner_text() == "87.50"
    assert page.locator("[data-figure=distributable]").inner_text() == "97.50"  # 57.5 + 40
    assert page.locator("[data-figure=closing_undistributed]").inner_text() == "77.50"
    # A minus sign where the line cannot be negative is marked at once (and refused by the server).
    amount("other_income").fill("-1")
    assert amount("other_income").get_attribute("aria-invalid") == "true"
    amount("other_income").fill("")
    cadre.shot("typed")
    page.click("button.primary:has-text('保存')")
    page.wait_for_load_state("networkidle")
    ly = LedgerYear.objects.get(village=village, year=2023)
    assert (ly.investment_income, ly.closing_undistributed) == (Decimal("-125000.00"), Decimal("775000.00"))

    phone = cadre.context.new_page()
    phone.set_viewport_size({"width": 360, "height": 800})
    phone.goto(cadre.base_url + url)
    phone.wait_for_load_state("networkidle")
    assert phone.locator("details.distribution-half").get_attribute("open") is None  # folded away
    phone.click("details.distribution-half > summary")
    assert phone.locator("details.distribution-half").get_attribute("open") is not None
    phone.close()
