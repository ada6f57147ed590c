from .. import factories


def test_admin_logs_in_and_reads_a_village_year_in_the_admin(journey, transactional_db):
    factories.make_user("root", "admin", is_staff=True, is_superuser=True)
    ly = factories.make_ledger_year(factories.make_village(name="长胜村"), 2021, {"operating_revenue": "1000"})
    trip = journey()
    trip.login("root")
    trip.goto("/admin/")
    assert trip.page.locator("h1, #site-name").first.is_visible()
    trip.shot("admin-index")
    trip.goto(f"/admin/ledger/ledgeryear/{ly.pk}/change/")
    assert "长胜村" in trip.page.content()
    trip.shot("admin-ledger-year")
