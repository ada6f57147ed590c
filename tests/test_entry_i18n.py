"""Chinese by default, English as a second language; nothing on the pages comes from another host."""

import re

from django.urls import reverse

from .entry_helpers import village_year_url
from .factories import make_ledger_year


def test_pages_are_chinese_by_default_and_english_when_chosen(client, people, world):
    village = world["villages"]["长胜村"]
    make_ledger_year(village, 2025, {"operating_revenue": "100"})
    client.force_login(people["alice"])
    page = client.get(village_year_url(village, 2025), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-hans">' in page and "修改记录" in page and "提交审核" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(village_year_url(village, 2025)).content.decode()
    assert '<html lang="en">' in page and "History" in page and "Submit for review" in page
    assert "修改记录" not in page


def test_language_can_be_switched_without_javascript(client, people):
    client.force_login(people["alice"])
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("ledger:town_list")})
    assert response.status_code == 302
    assert "Entry progress by town" in client.get(reverse("ledger:town_list")).content.decode()


def test_entry_pages_load_nothing_from_other_hosts(client, people, world):
    village = world["villages"]["长胜村"]
    client.force_login(people["alice"])
    for url in (village_year_url(village, 2025), reverse("ledger:town_villages", kwargs={"pk": world["baqiao"].pk}),
                reverse("ledger:town_list")):
        page = client.get(url).content.decode()
        assert not re.search(r'(src|href)="(https?:)?//', page), url
