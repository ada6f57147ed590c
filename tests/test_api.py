"""The read-only API (/api/v1/): a county's token or a signed-in user's session, each held to its scope;
the figures are the dashboards' own (the same selectors), money as exact 元 strings."""

from decimal import Decimal

import pytest
from django.urls import reverse

from dashboards.api.tokens import TokenError, api_token_create, api_token_revoke
from dashboards.models import ApiToken

from . import dashboard_data
from .factories import make_user

WAN = Decimal(10000)
ENDPOINTS = ["overview", "rankings/villages", "rankings/towns", "tiers", "trends", "report"]


@pytest.fixture
def data(world):
    return dashboard_data.build(world)


@pytest.fixture
def key(world, people):
    _token, key = api_token_create(county=world["yangzhong"], name="大厅大屏", actor=people["carol"])
    return key


def get(client, path, key=None, **params):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.get(f"/api/v1/{path}", params, **headers)


@pytest.mark.parametrize("path", [*ENDPOINTS, "openapi.json", "docs"])
def test_anonymous_callers_are_refused(client, data, path):
    response = get(client, path)
    assert response.status_code == 401
    assert "长胜村" not in response.content.decode() and "扬中市" not in response.content.decode()


@pytest.mark.parametrize("path", ENDPOINTS)
def test_wrong_unknown_and_revoked_tokens_are_refused(client, world, data, key, path):
    assert get(client, path, key="cj_not-a-token").status_code == 401
    assert get(client, path, key="x" * 5000).status_code == 401
    api_token_revoke(token=ApiToken.objects.get(), actor=None)
    assert get(client, path, key=key).status_code == 401


def test_a_user_without_a_role_is_refused(client, people, data):
    client.force_login(people["nobody"])
    assert get(client, "overview").status_code == 401


@pytest.mark.parametrize("path", ENDPOINTS)
def test_county_token_cannot_read_another_county_or_its_towns(client, world, data, key, path):
    assert get(client, path, key, county=world["qinyang"].pk).status_code == 404
    assert get(client, path, key, town=world["ziling"].pk).status_code == 404
    assert get(client, path, key, town="abc").status_code == 422
    assert get(client, path, key, town=world["baqiao"].pk).status_code == 200


@pytest.mark.parametrize("path", ENDPOINTS)
def test_session_of_another_countys_user_gets_404(client, world, people, data, path):
    client.force_login(people["oscar"])
    assert get(client, path, county=world["yangzhong"].pk).status_code == 404
    assert get(client, path, town=world["baqiao"].pk).status_code == 404


def test_town_user_session_reads_only_their_town(client, world, people, data):
    client.force_login(people["erin"])  # 新坝镇
    assert get(client, "overview", county=world["yangzhong"].pk).status_code == 404
    answer = get(client, "trends").json()
    assert answer["scope"] == {"level": "town", "label": "扬中市新坝镇", "county_id": world["yangzhong"].pk,
                               "town_id": world["xinba"].pk}


def test_overview_gives_the_dashboards_headline_as_exact_yuan(client, world, data, key):
    answer = get(client, "overview", key, year=2021).json()
    operating = sum(v[0] for v in dashboard_data.BAQIAO.values()) * WAN
    total = sum(v[0] + v[1] for v in dashboard_data.BAQIAO.values()) * WAN
    assert answer["scope"]["label"] == "扬中市" and answer["year"] == 2021 and answer["years"] == [2021, 2020]
    assert answer["reporting"] == 8 and answer["include_submitted"] is False
    assert answer["operating_income"] == f"{operating:.2f}" and answer["total_income"] == f"{total:.2f}"
    assert answer["operating_mean"] == f"{operating / 8:.2f}"
    assert [(t["label"], t["villages"]) for t in answer["tiers"]] == [
        ("500万元以上", 1), ("300万元以上", 4), ("150万元以上", 3), ("未达梯队", 0)]
    assert answer["weak"] == 1
    # Submitted figures only when asked: 新坝村's 900万 of 2021.
    with_submitted = get(client, "overview", key, year=2021, submitted=1).json()
    assert with_submitted["reporting"] == 9
    assert Decimal(with_submitted["operating_income"]) == operating + 900 * WAN


def test_village_ranking_pages_with_ranks_from_the_whole_scope(client, data, key):
    answer = get(client, "rankings/villages", key, year=2021, limit=3, offset=1).json()
    assert answer["total"] == 8 and answer["limit"] == 3
    assert [(r["rank"], r["name"]) for r in answer["rows"]] == [(2, "长胜村"), (3, "幸福村"), (4, "永胜村")]
    first = answer["rows"][0]
    assert first["value"] == "3000000.00" and first["previous_rank"] == 1 and first["rank_change"] == -1
    assert first["tier"] == "300万元以上" and first["town_name"] == "八桥镇"


def test_town_ranking_and_tiers(client, world, data, key):
    towns = get(client, "rankings/towns", key, year=2021, sort="total").json()
    assert [(r["rank"], r["name"], r["villages"]) for r in towns["rows"]] == [(1, "八桥镇", 8)]
    assert towns["tier_labels"][-1] == "未达梯队"
    tiers = get(client, "tiers", key, year=2021).json()
    assert tiers["totals"] == [1, 4, 3, 0] and tiers["units"][0]["bands"] == [1, 4, 3, 0]
    assert get(client, "rankings/towns", key, sort="nonsense").status_code == 422


def test_trends_per_year(client, data, key):
    rows = get(client, "trends", key).json()["rows"]
    assert [(r["year"], r["reporting"]) for r in rows] == [(2020, 9), (2021, 8)]  # 新坝村 approved in 2020 only


def test_bad_parameters_get_a_clear_answer(client, data, key):
    missing = get(client, "overview", key, year=1999)
    assert missing.status_code == 404 and "1999" in missing.json()["detail"]
    assert get(client, "overview", key, metric="nonsense").status_code == 422
    assert get(client, "rankings/villages", key, limit=501).status_code == 422
    assert get(client, "rankings/villages", key, limit="many").status_code == 422


def test_session_of_a_county_official_reads_the_api(client, people, data):
    client.force_login(people["carol"])
    assert get(client, "overview", year=2021).json()["reporting"] == 8


def test_openapi_description_is_served_locally(client, data, key):
    schema = get(client, "openapi.json", key).json()
    assert {"/api/v1/overview", "/api/v1/rankings/villages", "/api/v1/rankings/towns", "/api/v1/tiers",
            "/api/v1/trends"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]
    docs = get(client, "docs", key).content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert "https://" not in docs and "http://" not in docs


def test_overview_reads_in_a_fixed_number_of_queries(client, data, key, django_assert_max_num_queries):
    # The dashboards' overview reads (like with like: the villages that reported both years) plus the token.
    with django_assert_max_num_queries(13):
        assert get(client, "overview", key).status_code == 200


# Tokens ------------------------------------------------------------------------------------------------

def test_token_is_kept_as_a_digest_and_shown_once(client, world, people):
    client.force_login(people["carol"])
    response = client.post(reverse("dashboards:api_tokens"), {"name": "大厅大屏"})
    token = ApiToken.objects.get()
    key = response.context["new_key"]
    assert key.startswith("cj_") and key in response.content.decode() and response["Cache-Control"] == "no-store"
    assert token.key_hash != key and key not in token.key_hash and token.key_prefix == key[:10]
    assert token.county == world["yangzhong"] and token.created_by == people["carol"]
    again = client.get(reverse("dashboards:api_tokens")).content.decode()
    assert key not in again and token.key_prefix in again and "大厅大屏" in again


def test_using_a_token_notes_when(client, world, data, key):
    assert ApiToken.objects.get().last_used_at is None
    get(client, "overview", key)
    assert ApiToken.objects.get().last_used_at is not None


def test_official_revokes_a_token_after_confirming(client, world, people, data, key):
    client.force_login(people["carol"])
    token = ApiToken.objects.get()
    url = reverse("dashboards:api_token_revoke", args=[token.pk])
    assert "确认吊销" in client.get(url).content.decode()
    assert ApiToken.objects.get().active  # looking at the question revokes nothing
    client.logout()
    assert get(client, "overview", key).status_code == 200
    client.force_login(people["carol"])
    assert client.post(url).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == people["carol"]
    client.logout()
    assert get(client, "overview", key).status_code == 401


def test_token_needs_a_name(world):
    with pytest.raises(TokenError):
        api_token_create(county=world["yangzhong"], name="\u200b ")
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("who", ["alice", "dave", "erin"])
def test_only_county_officials_manage_tokens(client, people, key, who):
    client.force_login(people[who])
    assert client.get(reverse("dashboards:api_tokens")).status_code == 403
    assert client.post(reverse("dashboards:api_tokens"), {"name": "x"}).status_code == 403
    assert client.post(reverse("dashboards:api_token_revoke", args=[ApiToken.objects.get().pk])).status_code == 403
    assert ApiToken.objects.count() == 1 and ApiToken.objects.get().active


def test_official_of_another_county_cannot_see_or_revoke_the_token(client, world, people, key):
    client.force_login(make_user("quinn", "official", county=world["qinyang"]))
    token = ApiToken.objects.get()
    assert client.post(reverse("dashboards:api_token_revoke", args=[token.pk])).status_code == 404
    assert client.get(reverse("dashboards:api_tokens") + f"?county={world['yangzhong'].pk}").status_code == 404
    assert token.key_prefix not in client.get(reverse("dashboards:api_tokens")).content.decode()
    assert ApiToken.objects.get().active


def test_report_is_the_sum_of_the_countys_approved_statements(client, world, data, key):
    from ledger.annual_report import statement_report
    from villages.models import Village

    answer = get(client, "report", key).json()
    expected = statement_report(villages=Village.objects.filter(town__county=world["yangzhong"]),
                                year=answer["year"])
    lines = {line["code"]: line for line in answer["report"]["lines"]}
    assert answer["scope"]["label"] == "扬中市"
    assert len(lines) == len(expected.lines)
    for line in expected.lines:
        stated = lines[line.code]["value"]
        assert (Decimal(stated) if line.unit != "个" else stated) == line.value, line.name
    assert answer["report"]["villages_reported"] == expected.villages_reported
    assert answer["report"]["balanced"] is True
    assert {v["code"] for v in answer["report"]["missing"]} == {v.code for v in expected.missing}
