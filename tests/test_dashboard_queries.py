"""Each page runs a fixed number of queries, whatever the number of villages (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards.services import tier_scheme_ensure
from villages.models import PartyOrganization, PartyOrganizationMembership

from . import dashboard_data
from .factories import make_ledger_year, make_village

# Page → most queries (session, user and role lookups included).
# Every page but the village profile also weighs which year to open on (2: approved counts with the
# scope's villages, the counties' deadlines); growth compares the villages that reported both years.
MAX_QUERIES = {
    "overview": 17,  # + the like-with-like sums; a town's + its 未报送 villages (count and names)
    "villages": 15,  # with a town and an organisation filter: each is validated, and the choices are listed;
                     # + the 未报送 villages (count and names)
    "towns": 15,  # the unit names come in a query of their own (a GROUP BY on ids only is faster);
                  # a province's 未报送 towns after the ranked ones: 2 more
    "tiers": 13,
    "organizations": 9,
    "village": 12,
    "progress": 11,
    "warnings": 17,  # the checks are one statement; the 50 warnings shown are described in 4 more
}


def page_urls(baqiao):
    return {name: reverse(f"dashboards:{name}") for name in MAX_QUERIES if name != "village"} | {
        "village": reverse("dashboards:village", args=[baqiao["幸福村"].pk])}


def count_queries(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


def add_villages(world, count):
    for number in range(300, 300 + count):
        village = make_village(world["xinba"], number)
        make_ledger_year(village, 2020, {"operating_revenue": number * 100}, status="approved")
        make_ledger_year(village, 2021, {"operating_revenue": number * 130}, status="approved")


@pytest.mark.parametrize("person", ["carol", "alice", "admin"])  # county, town and province scope
@pytest.mark.parametrize("name", sorted(MAX_QUERIES))
def test_query_count_is_fixed_and_does_not_grow_with_villages(client, world, people, name, person,
                                                               django_assert_max_num_queries):
    baqiao = dashboard_data.build(world)
    tier_scheme_ensure(county=world["yangzhong"])  # a saved scheme costs its thresholds' query too
    org = PartyOrganization.objects.create(name="联建组团", kind="cluster", county=world["yangzhong"])
    PartyOrganizationMembership.objects.create(organization=org, village=baqiao["八桥村"])
    client.force_login(people[person])
    url = page_urls(baqiao)[name]
    params = {"year": 2021, "submitted": "1"}
    if name == "villages" and person == "carol":
        params |= {"organization": org.pk, "town": world["baqiao"].pk}
    count_queries(client, url, params)  # warm caches (metric terms) the way a running server has them
    small = count_queries(client, url, params)
    add_villages(world, 15)  # in 新坝镇: the town user's page must not change either
    with django_assert_max_num_queries(MAX_QUERIES[name]):
        large = count_queries(client, url, params)
    assert large == small
