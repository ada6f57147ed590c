"""Every URL of the project × every kind of user, generated from the URL configuration.

A new URL cannot escape: each one is requested by an anonymous visitor, a user without a role, a
user of another county and the users in scope. If a URL takes a parameter this file does not know
how to fill, the test fails and says so. Rules for every URL:
- anonymous: sent to a login page (or 404/405), never shown a page, unless the URL is public;
- outsiders (no role, or another county): never a page that shows 八桥镇's data; POSTs change nothing;
- users in scope: no server error.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from ledger.models import LedgerLine, LedgerYear, LedgerYearEvent

from .factories import make_ledger_year

PUBLIC = {"login", "set_language", "healthz", "favicon.ico", "admin:login", "admin:logout", "logout",
          "admin:password_reset"}
# 财务公开: open to everybody, and shows nothing unless the county publishes (not so in `objects`).
DISCLOSURE = "disclosure:"
# Names whose page is a redirect for everybody (no data shown).
ALWAYS_REDIRECT = {"admin:view_on_site"}
# The API answers anonymous callers 401 (no login page to send them to).
API_PREFIX = "api/"
SECRET_MARKERS = ("长胜村", "八桥镇")
OUTSIDERS = ("nobody", "oscar")
INSIDERS = ("alice", "bob", "carol", "dave", "admin")


def walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name or ''}"


ROUTES = sorted(set(walk(get_resolver().url_patterns)))


def sample_kwargs(name: str, route: str, objects: dict) -> dict[str, str]:
    """Fill a route's parameters with 八桥镇/扬中市 objects (in scope for insiders only)."""
    values = {}
    for param in re.findall(r"<(?:\w+:)?(\w+)>", route):
        key = f"{name}.{param}"
        if key in objects:
            values[param] = objects[key]
        elif param in objects:
            values[param] = objects[param]
        else:
            pytest.fail(f"URL {name!r} ({route}) has parameter {param!r}: add a sample value in {__file__}")
    return values


def build(route: str, kwargs: dict) -> str:
    path = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\", "")
    for param, value in kwargs.items():
        path = re.sub(rf"<(?:\w+:)?{param}>|\(\?P<{param}>[^)]*\)", str(value), path)
    return "/" + path


@pytest.fixture
def objects(world, people):
    ly = make_ledger_year(world["villages"]["长胜村"], 2024, {"operating_revenue": "100"}, status="approved")
    values = {
        "village_pk": ly.village_id, "town_pk": world["baqiao"].pk, "county_pk": world["yangzhong"].pk,
        "year": 2024, "pk": ly.village_id, "ledger_year_pk": ly.pk,
        "ledger:town_villages.pk": world["baqiao"].pk, "ledger:town_transition.pk": world["baqiao"].pk,
        # The admin: any object id; the users tried here are not staff, or are administrators.
        "object_id": ly.pk, "id": people["alice"].pk, "app_label": "ledger", "content_type_id": 1, "uidb64": "x", "token": "y",
        "url": "x",
        # Public pages name places by division code only.
        "county_code": world["yangzhong"].code, "town_code": world["baqiao"].code,
        "village_code": ly.village.code,
    }
    values.update(extra_objects(world, ly))
    return values


def extra_objects(world, ledger_year) -> dict:
    """Sample values for the import URLs: a real batch of a 八桥镇 file, kept through the service."""
    from ledger.importing import services

    data = "年度,乡镇,村,科目,金额\n2025,八桥镇,长胜村,经营收入,100\n".encode()
    batch = services.import_batch_create(data=data, filename="八桥镇长胜村.csv", town=world["baqiao"])
    return {"ledger:import_detail.pk": batch.pk, "ledger:import_status.pk": batch.pk,
            "ledger:import_confirm.pk": batch.pk, "ledger:import_undo.pk": batch.pk,
            "ledger:import_file.pk": batch.pk, **issue_objects(world)}


def issue_objects(world) -> dict:
    """A published 扬中市 issue (its rows name 长胜村) and an API token of 扬中市, through their services."""
    from dashboards.api.tokens import api_token_create
    from dashboards.issues import IssueSpec, issue_preview, issue_publish

    spec = IssueSpec(county=world["yangzhong"], town=None, table="villages", metric="operating_income", sort="value",
                     year=2024)
    issue = issue_publish(spec=spec, title="2024年度各村经营性收入比拼晾晒", issuing_unit="扬中市农业农村局",
                          digest=issue_preview(spec=spec).digest)
    token, _key = api_token_create(county=world["yangzhong"], name="大厅大屏")
    return {"dashboards:issue.pk": issue.pk, "dashboards:issue_print.pk": issue.pk,
            "dashboards:api_token_revoke.pk": token.pk}


def login(client, people, who):
    if who != "anonymous":
        client.force_login(people[who])


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and "login" in response.get("Location", "")


@pytest.mark.parametrize("route,name", ROUTES, ids=[f"{n or r}" for r, n in ROUTES])
def test_every_url_keeps_data_from_anonymous_and_outsiders(client, people, objects, route, name):
    url = build(route, sample_kwargs(name, route, objects))
    before = (LedgerLine.objects.count(), LedgerYear.objects.count(), LedgerYearEvent.objects.count())
    public = name in PUBLIC or route in PUBLIC or name.startswith(DISCLOSURE)

    response = client.get(url)
    if route.startswith(API_PREFIX):
        assert response.status_code in (401, 403, 404, 405), f"anonymous GET {url}: {response.status_code}"
    elif not public and name not in ALWAYS_REDIRECT:
        assert response.status_code in (302, 404, 405), f"anonymous GET {url}: {response.status_code}"
        if response.status_code == 302:
            assert is_login_redirect(response), f"anonymous GET {url} → {response['Location']}"

    for who in OUTSIDERS:
        client.logout()
        login(client, people, who)
        response = client.get(url)
        assert response.status_code < 500, f"{who} GET {url}: {response.status_code}"
        if response.status_code == 200:
            body = response.content.decode(errors="replace")
            leaked = [m for m in SECRET_MARKERS if m in body]
            assert not leaked, f"{who} sees {leaked} at {url}"
        response = client.post(url, {})
        assert response.status_code < 500, f"{who} POST {url}: {response.status_code}"
        if response.status_code == 200:
            assert not [m for m in SECRET_MARKERS if m in response.content.decode(errors="replace")]

    assert (LedgerLine.objects.count(), LedgerYear.objects.count(), LedgerYearEvent.objects.count()) == before


@pytest.mark.parametrize("route,name", [r for r in ROUTES if not r[0].startswith("admin/")],
                         ids=[f"{n or r}" for r, n in ROUTES if not r.startswith("admin/")])
def test_every_page_answers_users_in_scope_without_error(client, people, objects, route, name):
    url = build(route, sample_kwargs(name, route, objects))
    for who in INSIDERS:
        client.logout()
        login(client, people, who)
        response = client.get(url)
        assert response.status_code < 500, f"{who} GET {url}: {response.status_code}"


PUBLIC_ROUTES = [(route, name) for route, name in ROUTES if name.startswith(DISCLOSURE)]
HREF = re.compile(r"""(?:href|src|action)=["']([^"']*)["']""")


@pytest.mark.parametrize("route,name", PUBLIC_ROUTES, ids=[n for _, n in PUBLIC_ROUTES])
def test_public_pages_show_only_approved_figures_and_lead_nowhere_else(client, world, objects, route, name):
    """With 扬中市 publishing: an anonymous visitor reads 长胜村's approved year, never the draft of
    another year or a person's name, and every link on the page stays under /public/ (or is a static file)."""
    from disclosure.services import disclosure_set

    disclosure_set(county=world["yangzhong"], enabled=True)
    make_ledger_year(world["villages"]["长胜村"], 2023, {"operating_revenue": "7777777"})  # a draft
    url = build(route, sample_kwargs(name, route, objects))
    response = client.get(url)
    assert response.status_code == 200, f"anonymous GET {url}: {response.status_code}"
    assert not response.cookies, f"{url} sets cookies for an anonymous visitor"
    assert "public" in response["Cache-Control"] and response["ETag"]
    if response["Content-Type"].startswith("text/html"):
        body = response.content.decode()
        assert "777.78" not in body and "2023年" not in body  # the draft year and its amount in 万元
        assert "alice" not in body and "bob" not in body
        for link in HREF.findall(body):
            assert link.startswith(("/public/", "/static/")), f"{url} links to {link}"
    assert client.post(url, {}).status_code == 405
