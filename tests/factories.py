"""Small factory functions for tests: build exactly the data a test needs, in code."""

from decimal import Decimal
from itertools import count

from django.contrib.auth import get_user_model

from ledger import services
from ledger.models import AccountingSystem, LedgerYear, LineItem
from villages.models import County, Town, UserRole, Village

_seq = count(1)


def make_county(code: str = "321182000000", name: str = "扬中市") -> County:
    county, _ = County.objects.get_or_create(code=code, defaults={"name": name})
    return county


def make_town(county: County | None = None, number: int = 103, name: str = "八桥镇") -> Town:
    county = county or make_county()
    town, _ = Town.objects.get_or_create(code=f"{county.prefix}{number:03d}000",
                                         defaults={"county": county, "name": name})
    return town


def make_village(town: Town | None = None, number: int | None = None, name: str | None = None) -> Village:
    town = town or make_town()
    number = number or 200 + next(_seq) % 199
    village, _ = Village.objects.get_or_create(code=f"{town.prefix}{number:03d}",
                                               defaults={"town": town, "name": name or f"测试{number}村"})
    return village


def make_user(username: str, role: str | None = None, *, county: County | None = None, town: Town | None = None,
              password: str = "pw", **extra):
    user = get_user_model().objects.create_user(username=username, password=password, **extra)
    if role:
        if town is not None and county is None:
            county = town.county
        UserRole.objects.create(user=user, role=role, county=county, town=town)
    return user


def item(system_code: str, code: str) -> LineItem:
    return LineItem.objects.get(system__code=system_code, code=code)


def item_for_year(year: int, code: str) -> LineItem:
    return LineItem.objects.get(system=AccountingSystem.for_year(year), code=code)


def make_ledger_year(village: Village, year: int, amounts: dict | None = None, *, status: str = "draft",
                     actor=None) -> LedgerYear:
    """A village-year with lines given as {item code: 元} or {(item code, 项目): 元}, written by the service."""
    ledger_year = services.ledger_year_open(village=village, year=year, actor=actor)
    lines = []
    for key, amount in (amounts or {}).items():
        code, name = key if isinstance(key, tuple) else (key, "")
        lines.append(services.LineInput(item_id=item_for_year(year, code).pk, name=name, amount=Decimal(amount)))
    services.ledger_year_replace_lines(ledger_year=ledger_year, lines=lines, actor=actor)
    if status in ("submitted", "approved", "returned"):
        services.ledger_year_transition(ledger_year=ledger_year, action="submit", actor=actor)
    if status == "approved":
        services.ledger_year_transition(ledger_year=ledger_year, action="approve", actor=actor)
    if status == "returned":
        services.ledger_year_transition(ledger_year=ledger_year, action="reject", actor=actor, reason="请核对")
    return ledger_year
