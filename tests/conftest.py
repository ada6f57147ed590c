"""Named people and places shared by the tests (like healthchecks' Alice and Bob).

- 扬中市 (county) with 八桥镇 and 新坝镇; 沁阳市 (another county) with 紫陵镇.
- alice: 八桥镇 cadre; bob: 八桥镇 reviewer; carol: 扬中市 official; dave: 扬中市 staff;
  erin: 新坝镇 cadre (same county, other town); oscar: 紫陵镇 cadre (other county); nobody: no role.

They are built once per test module, like Django's `setUpTestData`: inside a transaction that is
rolled back after the module, while each test runs in a savepoint within it (pytest-django's `db`),
so what a test writes is undone after it. Each test gets its own copies of the objects, so changing
one in memory does not reach the next test either. Tests that commit for real (browser tests on a live
server, `transactional_db`) build them afresh instead. Tests that do not use them run first in their
module (`pytest_collection_modifyitems` below), so they never see them.
"""

import copy

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import translation

from ledger import metrics

from .factories import make_county, make_town, make_user, make_village


def _build_world() -> dict:
    yangzhong = make_county("321182000000", "扬中市")
    baqiao = make_town(yangzhong, 103, "八桥镇")
    xinba = make_town(yangzhong, 101, "新坝镇")
    qinyang = make_county("410882000000", "沁阳市")
    ziling = make_town(qinyang, 105, "紫陵镇")
    villages = {
        "长胜村": make_village(baqiao, 201, "长胜村"),
        "幸福村": make_village(baqiao, 202, "幸福村"),
        "八桥村": make_village(baqiao, 207, "八桥村"),
        "新坝村": make_village(xinba, 201, "新坝村"),
        "宋寨村": make_village(ziling, 211, "宋寨村"),
    }
    return {"yangzhong": yangzhong, "baqiao": baqiao, "xinba": xinba, "qinyang": qinyang, "ziling": ziling,
            "villages": villages}


def _build_people(world: dict) -> dict:
    return {
        "alice": make_user("alice", "cadre", town=world["baqiao"]),
        "bob": make_user("bob", "reviewer", town=world["baqiao"]),
        "carol": make_user("carol", "official", county=world["yangzhong"]),
        "dave": make_user("dave", "staff", county=world["yangzhong"]),
        "erin": make_user("erin", "cadre", town=world["xinba"]),
        "oscar": make_user("oscar", "cadre", town=world["ziling"]),
        "nobody": make_user("nobody"),
        "admin": make_user("admin", "admin", is_staff=True, is_superuser=True),
    }


def _commits(item) -> bool:
    """Whether the test commits for real (so it cannot run inside the module's transaction)."""
    marker = item.get_closest_marker("django_db")
    return ("transactional_db" in item.fixturenames or "live_server" in item.fixturenames
            or bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))))


def _uses_world(item) -> bool:
    return "_world_and_people" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(config, items):
    # Tests that commit stay after all the others, as pytest-django orders them: they empty the tables
    # when they end (reference data included), which no later test of another kind may see. Within
    # each module, the tests that use neither world nor people first (stable: otherwise in file order),
    # so that none of them runs while the module's world exists.
    modules = {}
    for item in items:
        modules.setdefault(item.module, len(modules))
    items.sort(key=lambda item: (_commits(item), modules[item.module], _uses_world(item)))


@pytest.fixture(autouse=True)
def _fresh_metric_cache():
    # Reference data is reloaded per test database; the cache must not outlive it.
    metrics.clear_cache()
    yield
    metrics.clear_cache()


@pytest.fixture(autouse=True)
def _default_language():
    # The test client runs requests in this thread, and a request in English (the language switch)
    # leaves English active for whatever the next test builds outside a request.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="module")
def _module_world(request, django_db_setup, django_db_blocker):
    """world and people of this module, in a transaction rolled back when the module is done; None
    in a module with tests that commit, whose tests each build their own."""
    if any(_commits(item) for item in request.session.items if item.module is request.module):
        yield None
        return
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        world = _build_world()
        people = _build_people(world)
    try:
        yield world, people
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def _world_and_people(_module_world, db):
    if _module_world is None:
        world = _build_world()
        return world, _build_people(world)
    # One deep copy of both, so that within a test the people's towns are the world's towns.
    return copy.deepcopy(_module_world)


@pytest.fixture
def world(_world_and_people):
    return _world_and_people[0]


@pytest.fixture
def people(_world_and_people):
    return _world_and_people[1]


@pytest.fixture
def village(world):
    """长胜村 of 八桥镇, the village the entry tests type into."""
    return world["villages"]["长胜村"]


@pytest.fixture
def cadre(client, people):
    """alice, 长胜村's cadre, logged in on `client`."""
    client.force_login(people["alice"])
    return people["alice"]
