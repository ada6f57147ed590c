"""A villager opens 长胜村's public page on a phone, without logging in, and sees only approved figures."""

from disclosure.services import disclosure_set
from ledger import services

from .. import dashboard_data
from ..factories import make_ledger_year


def test_villager_reads_changsheng_on_a_phone_without_logging_in(journey, transactional_db, world, people):
    villages = dashboard_data.build(world)
    changsheng = villages["长胜村"]
    reopened = changsheng.ledger_years.get(year=2020)
    services.ledger_year_transition(ledger_year=reopened, action="reopen", actor=people["bob"], reason="补录租金")
    make_ledger_year(changsheng, 2022, {"operating_revenue": "7777777"})  # a draft: never public
    disclosure_set(county=world["yangzhong"], enabled=True)

    trip = journey()
    page = trip.page
    page.set_viewport_size({"width": 360, "height": 800})
    trip.goto("/public/")
    with page.expect_navigation():
        page.click("text=扬中市")
    with page.expect_navigation():
        page.click("text=八桥镇")
    with page.expect_navigation():
        page.click("a:text-is('长胜村')")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login" not in page.url and "/public/village/" in page.url
    assert "长胜村" in page.locator("h1").inner_text()
    body = page.locator("main").inner_text()
    assert "2021 年度收益及收益分配表" in body
    assert page.locator("tr[data-code='1'] td.num").inner_text() == "150.00"  # 经营收入 of 2021, 万元
    assert "2020 年度账目正在更正" in body
    assert "2022年" not in body and "777.78" not in body
    assert page.locator(".year-tabs a").all_inner_texts() == ["2021年"]
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    trip.shot("village-page")

    with page.expect_navigation():
        page.click("text=公开栏海报")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.querySelector('.poster-qr img').naturalWidth") > 0  # the QR code drew
    trip.shot("poster")
