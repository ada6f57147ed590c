"""财务公开: what an anonymous visitor sees (approved years only, no names), a reopened year, the
county's switch, throttling and caching, the poster's QR code."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from disclosure.models import DisclosureSetting
from disclosure.qr import qr_svg
from disclosure.services import disclosure_set
from ledger import services

from .factories import make_ledger_year


@pytest.fixture
def changsheng(world, people):
    """长胜村: 2021 approved by bob (八桥镇 reviewer), 2022 approved then reopened, 2023 a draft."""
    village = world["villages"]["长胜村"]
    get_user_model().objects.filter(pk=people["bob"].pk).update(first_name="王", last_name="审核")
    approved = make_ledger_year(village, 2021, {"operating_revenue": "3861234.56", "admin_expense": "100000",
                                                "reserve_fund": "50000"}, status="submitted")
    services.ledger_year_transition(ledger_year=approved, action="approve", actor=people["bob"])
    reopened = make_ledger_year(village, 2022, {"operating_revenue": "4444444"}, status="approved", actor=people["bob"])
    services.ledger_year_transition(ledger_year=reopened, action="reopen", actor=people["bob"], reason="补录租金")
    make_ledger_year(village, 2023, {"operating_revenue": "5555555"})
    disclosure_set(county=world["yangzhong"], enabled=True, actor=people["carol"])
    return village


def page(client, name, *args):
    return client.get(reverse(f"disclosure:{name}", args=args))


def test_villager_reads_the_approved_year_without_logging_in(client, world, changsheng):
    response = page(client, "village", changsheng.code)
    body = response.content.decode()
    assert response.status_code == 200
    assert "2021 年度收益及收益分配表" in body and "386.12" in body  # 经营收入 in 万元
    assert "审核单位" in body and "八桥镇" in body and "公开时间" in body
    assert "444.44" not in body and "555.56" not in body  # the reopened year and the draft
    assert "2023年" not in body
    assert "bob" not in body and "王" not in body and "carol" not in body  # no people's names


def test_a_reopened_year_says_it_is_being_corrected_until_approved_again(client, world, people, changsheng):
    body = page(client, "village", changsheng.code).content.decode()
    assert "2022 年度账目正在更正，审核通过后重新公开" in body
    corrected = page(client, "village_year", changsheng.code, 2022)
    assert corrected.status_code == 200 and "444.44" not in corrected.content.decode()
    ledger_year = changsheng.ledger_years.get(year=2022)
    services.ledger_year_transition(ledger_year=ledger_year, action="submit", actor=people["alice"])
    services.ledger_year_transition(ledger_year=ledger_year, action="approve", actor=people["bob"])
    cache.clear()
    body = page(client, "village_year", changsheng.code, 2022).content.decode()
    assert "444.44" in body and "正在更正" not in body


def test_drafts_and_years_never_approved_are_not_found(client, changsheng):
    assert page(client, "village_year", changsheng.code, 2023).status_code == 404
    assert page(client, "poster_year", changsheng.code, 2023).status_code == 404
    assert page(client, "village_year", changsheng.code, 2019).status_code == 404


def test_nothing_is_public_in_a_county_that_does_not_publish(client, world, changsheng):
    make_ledger_year(world["villages"]["宋寨村"], 2021, {"operating_revenue": "100"}, status="approved")
    assert page(client, "village", world["villages"]["宋寨村"].code).status_code == 404
    assert page(client, "county", world["qinyang"].code).status_code == 404
    assert "沁阳市" not in page(client, "index").content.decode()
    disclosure_set(county=world["yangzhong"], enabled=False)
    assert page(client, "village", changsheng.code).status_code == 404
    assert page(client, "town", world["baqiao"].code).status_code == 404


def test_county_and_town_pages_lead_to_the_village_by_codes(client, world, changsheng):
    county = page(client, "county", world["yangzhong"].code).content.decode()
    assert reverse("disclosure:town", args=[world["baqiao"].code]) in county
    town = page(client, "town", world["baqiao"].code).content.decode()
    assert reverse("disclosure:village", args=[changsheng.code]) in town and "已公开至 2021 年" in town


def test_poster_carries_the_qr_code_of_the_village_page(client, settings, changsheng):
    poster = page(client, "poster", changsheng.code).content.decode()
    assert reverse("disclosure:qr", args=[changsheng.code]) in poster and "386.12" in poster
    svg = page(client, "qr", changsheng.code)
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content == qr_svg(f"http://testserver/public/village/{changsheng.code}/")
    settings.PUBLIC_BASE_URL = "https://cunji.example.gov.cn/"
    cache.clear()
    assert page(client, "qr", changsheng.code).content == qr_svg(
        f"https://cunji.example.gov.cn/public/village/{changsheng.code}/")


def test_public_pages_are_cacheable_and_answer_304(client, changsheng):
    first = page(client, "village", changsheng.code)
    assert "public" in first["Cache-Control"] and "max-age=" in first["Cache-Control"]
    again = client.get(reverse("disclosure:village", args=[changsheng.code]), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_anonymous_traffic_is_throttled(client, settings, changsheng):
    settings.PUBLIC_RATE_LIMIT = "3/m"
    cache.clear()
    statuses = [page(client, "village", changsheng.code).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = page(client, "index")
    assert refused.status_code == 429 and refused["Retry-After"] == "60" and "访问过于频繁" in refused.content.decode()
    cache.clear()


def test_county_official_turns_disclosure_off_and_on(client, world, people, changsheng):
    client.force_login(people["carol"])
    url = reverse("disclosure_manage:settings")
    assert "已开启" in client.get(url).content.decode()
    client.post(url, {"county": world["yangzhong"].code, "enabled": "0"})
    client.logout()
    assert page(client, "village", changsheng.code).status_code == 404
    client.force_login(people["carol"])
    client.post(url, {"county": world["yangzhong"].code, "enabled": "1"})
    setting = DisclosureSetting.objects.get(county=world["yangzhong"])
    assert setting.enabled and setting.updated_by == people["carol"]
    assert client.post(url, {"county": world["qinyang"].code, "enabled": "1"}).status_code == 404
    assert not DisclosureSetting.objects.filter(county=world["qinyang"]).exists()


@pytest.mark.parametrize("who", ["alice", "bob", "dave", "oscar", "nobody"])
def test_only_county_officials_and_administrators_manage_disclosure(client, world, people, who):
    client.force_login(people[who])
    url = reverse("disclosure_manage:settings")
    assert client.get(url).status_code == 404
    assert client.post(url, {"county": world["yangzhong"].code, "enabled": "1"}).status_code == 404
    assert not DisclosureSetting.objects.exists()


def test_administrator_switches_it_in_the_admin_through_the_service(client, world, people):
    client.force_login(people["admin"])
    response = client.post(reverse("admin:disclosure_disclosuresetting_add"),
                           {"county": world["yangzhong"].pk, "enabled": "on"})
    assert response.status_code == 302
    setting = DisclosureSetting.objects.get(county=world["yangzhong"])
    assert setting.enabled and setting.enabled_at is not None and setting.updated_by == people["admin"]


def test_the_demo_publishes_yangzhong(world):
    apps.get_app_config("disclosure").load_demo()  # what load_demo calls
    assert DisclosureSetting.objects.get(county=world["yangzhong"]).enabled
    assert not DisclosureSetting.objects.filter(county=world["qinyang"]).exists()
