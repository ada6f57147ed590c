"""Named people and places shared by the tests (like healthchecks' Alice and Bob).

- 扬中市 (county) with 八桥镇 and 新坝镇; 沁阳市 (another county) with 紫陵镇.
- alice: 八桥镇 cadre; bob: 八桥镇 reviewer; carol: 扬中市 official; dave: 扬中市 staff;
  erin: 新坝镇 cadre (same county, other town); oscar: 紫陵镇 cadre (other county); nobody: no role.
"""

import pytest

from ledger import metrics

from .factories import make_county, make_town, make_user, make_village


@pytest.fixture(autouse=True)
def _fresh_metric_cache():
    # Reference data is reloaded per test database; the cache must not outlive it.
    metrics.clear_cache()
    yield
    metrics.clear_cache()


@pytest.fixture
def world(db):
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


@pytest.fixture
def people(world):
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
