"""In a real browser, the entry page's live figures read amounts as the server does (issue 12): a unit
typed after the number wins over the page's, and what the server will refuse is marked, not counted."""

from .. import factories


def test_live_figures_honour_a_typed_unit_and_mark_loose_digits(journey, transactional_db):
    town = factories.make_town(factories.make_county("321182000000", "扬中市"), 103, "八桥镇")
    village = factories.make_village(town, 201, "长胜村")
    factories.make_user("cadre", "cadre", town=town)
    cadre = journey("amounts-cadre")
    cadre.login("cadre")
    cadre.page.goto(cadre.base_url + f"/ledger/villages/{village.pk}/2025/")
    amounts = cadre.page.locator("input.amount")
    total = cadre.page.locator("[data-figure=total_income]")

    amounts.nth(0).fill("1500元")  # on a 万元 page: 0.15 万元, not 1,500 万元
    assert total.inner_text() == "0.15"
    amounts.nth(0).fill("1.5万元")
    assert total.inner_text() == "1.50"
    for loose in ("1,5", "١٢٣", "1e309", "1000001"):  # commas out of place, other digits, exponent, > 100亿元
        amounts.nth(0).fill(loose)
        assert amounts.nth(0).get_attribute("aria-invalid") == "true", loose
        assert total.inner_text() == "0.00", loose
