"""The hall screen page (大屏): the viewer's scope, the refresh interval, everything from this server."""

import re

import pytest
from django.urls import reverse


@pytest.mark.parametrize(("asked", "seconds"), [("", "60"), ("abc", "60"), ("0", "1"), ("5", "5"),
                                                ("99999", "3600")])
def test_screen_refreshes_every_minute_unless_asked(client, people, asked, seconds):
    client.force_login(people["carol"])
    body = client.get(reverse("dashboards:screen"), {"refresh": asked} if asked else {}).content.decode()
    assert f'data-refresh="{seconds}"' in body
    assert 'data-api="/api/v1/"' in body


def test_screen_reads_the_viewers_scope_and_figure(client, world, people):
    client.force_login(people["carol"])
    body = client.get(reverse("dashboards:screen"), {"town": world["baqiao"].pk, "metric": "total_income"}
                      ).content.decode()
    assert f'data-scope="town={world["baqiao"].pk}"' in body and 'data-metric="total_income"' in body
    assert "扬中市八桥镇" in body and "村总收入 TOP 10" in body
    client.force_login(people["alice"])  # a town user's screen is their town's
    assert f'data-scope="town={world["baqiao"].pk}"' in client.get(reverse("dashboards:screen")).content.decode()


def test_screen_of_another_county_is_404_and_anonymous_is_sent_to_login(client, world, people):
    client.force_login(people["oscar"])
    assert client.get(reverse("dashboards:screen"), {"county": world["yangzhong"].pk}).status_code == 404
    client.force_login(people["nobody"])
    assert client.get(reverse("dashboards:screen")).status_code == 404
    client.logout()
    response = client.get(reverse("dashboards:screen"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_screen_loads_nothing_from_outside(client, people):
    client.force_login(people["carol"])
    body = client.get(reverse("dashboards:screen")).content.decode()
    assert not re.search(r"(src|href)=\"(https?:)?//", body)
    assert "/static/js/plotly.min.js" in body and "/static/js/screen.js" in body
