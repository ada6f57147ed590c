import json
from decimal import Decimal

from django.contrib.auth import authenticate

from ledger import demo
from ledger.demo import DEMO_PASSWORD, load_demo
from ledger.models import LedgerLine, LedgerYear, Share
from villages.models import County, PartyOrganization, Village

WAN = Decimal(10000)


def test_load_demo_builds_the_report_world_and_running_it_twice_changes_nothing(db):
    first = load_demo()
    assert first.ledger_years_created > 0
    counts = (Village.objects.count(), LedgerYear.objects.count(), LedgerLine.objects.count(),
              LedgerLine.history.count(), Share.objects.count())
    second = load_demo()
    assert (second.villages, second.ledger_years_created, second.users_created) == (0, 0, 0)
    assert counts == (Village.objects.count(), LedgerYear.objects.count(), LedgerLine.objects.count(),
                      LedgerLine.history.count(), Share.objects.count())

    # The places are exactly those of the fixture.
    divisions = json.loads(demo.DIVISIONS.read_text(encoding="utf-8"))["counties"]
    assert set(Village.objects.values_list("code", "name")) == {
        tuple(village) for county in divisions for town in county["towns"] for village in town["villages"]}

    # 八桥镇 2021 as the report states it: one village ≥ 500万 总收入, four ≥ 300万, the rest ≥ 150万.
    totals = sorted(LedgerYear.objects.filter(town__code="321182103000", year=2021)
                    .values_list("total_income", flat=True), reverse=True)
    assert len(totals) == 8
    assert sum(t >= 500 * WAN for t in totals) == 1
    assert sum(300 * WAN <= t < 500 * WAN for t in totals) == 4
    assert all(150 * WAN <= t < 300 * WAN for t in totals[5:])

    # 沁阳市: 339 villages, four 区域党委 over 15 villages, 强村公司 dividends as 投资收益.
    qinyang = County.objects.get(code="410882000000")
    assert Village.objects.filter(town__county=qinyang).count() == 339
    assert Village.objects.get(code="410882105211").name == "宋寨村"
    committees = PartyOrganization.objects.filter(county=qinyang, kind="regional_committee")
    assert committees.count() == 4
    assert Village.objects.filter(party_organizations__in=committees).distinct().count() == 15
    dividend = LedgerLine.objects.filter(share__isnull=False, ledger_year__year=2023).first()
    assert dividend.item.code == "investment_income"
    assert dividend.share.holder_id == dividend.ledger_year.village_id

    # Only 2019–2024, all approved; 2024 on the new accounting system.
    assert set(LedgerYear.objects.values_list("year", flat=True).distinct()) == set(range(2019, 2025))
    assert set(LedgerYear.objects.values_list("status", flat=True).distinct()) == {"approved"}
    assert set(LedgerYear.objects.filter(year=2024).values_list("system__code", flat=True).distinct()) == {"2023"}

    for username in ("baqiao_cadre", "baqiao_reviewer", "yangzhong_official", "yangzhong_staff", "admin"):
        assert authenticate(username=username, password=DEMO_PASSWORD) is not None, username


def test_a_new_county_in_the_fixture_is_in_the_demo_without_code_changes(db, tmp_path, monkeypatch):
    data = json.loads(demo.DIVISIONS.read_text(encoding="utf-8"))
    data["counties"].append({"code": "320412000000", "name": "武进区", "province": "江苏省", "city": "常州市",
                             "towns": [{"code": "320412106000", "name": "湖塘镇",
                                        "villages": [["320412106201", "马杭村"], ["320412106202", "城湾村"]]}]})
    changed = tmp_path / "demo_divisions.json"
    changed.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(demo, "DIVISIONS", changed)
    summary = load_demo()
    assert (summary.counties, summary.towns, summary.villages) == (3, 18, 373)
    village = Village.objects.get(code="320412106202")
    assert (village.name, village.town.name, village.town.county.name) == ("城湾村", "湖塘镇", "武进区")
    assert set(LedgerYear.objects.filter(village=village).values_list("year", flat=True)) == set(range(2019, 2025))
