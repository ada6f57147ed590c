"""Reference data lives in fixtures/ and reaches the database through the data migration, unchanged;
which accounting system applies to a year, and what counts as a year, are each answered once."""

import json
from pathlib import Path

import pytest

from ledger.models import AccountingSystem, LineItem, Metric, MetricTerm
from ledger.systems import FIRST_YEAR, ItemSpec, system_code_for_year
from ledger.years import MAX_YEAR, MIN_YEAR, parse_year

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_migrated_reference_rows_equal_the_fixture(db):
    data = fixture("accounting_systems.json")
    systems = [{key: spec[key] for key in ("code", "name", "document", "first_year", "last_year")}
               for spec in data["systems"]]
    assert list(AccountingSystem.objects.order_by("pk").values(*systems[0])) == systems
    # Every field of an item, the optional ones (form_code, may_be_negative …) at their defaults when not given.
    fields = [name.replace("part_of", "part_of__code") for name in ItemSpec._fields]
    items = [{"system__code": spec["code"], **dict(zip(fields, ItemSpec(**item), strict=True))}
             for spec in data["systems"] for item in spec["items"]]
    assert list(LineItem.objects.order_by("pk").values("system__code", *fields)) == items
    metrics = [{"code": m["code"], "name": m["name"], "description": m["description"], "order": order}
               for order, m in enumerate(data["metrics"])]
    assert list(Metric.objects.order_by("pk").values("code", "name", "description", "order")) == metrics
    terms = {(m["code"], system, item, sign) for m in data["metrics"] for system, signs in m["terms"].items()
             for item, sign in signs.items()}
    assert set(MetricTerm.objects.values_list("metric__code", "item__system__code", "item__code", "sign")) == terms
    assert MetricTerm.objects.count() == len(terms)


@pytest.mark.parametrize(("year", "code"), [(FIRST_YEAR, "2004"), (2023, "2004"), (2024, "2023"), (MAX_YEAR, "2023"),
                                            (FIRST_YEAR - 1, None), (MIN_YEAR, None)])
def test_one_answer_to_which_system_applies_to_a_year(db, year, code):
    assert system_code_for_year(year) == code
    if code is None:
        with pytest.raises(AccountingSystem.DoesNotExist):
            AccountingSystem.for_year(year)
    else:
        system = AccountingSystem.for_year(year)
        # The rows in the database say the same as the fixture.
        assert system.code == code and system.first_year <= year <= (system.last_year or MAX_YEAR)


@pytest.mark.parametrize(("value", "year"), [
    ("2023", 2023), (" 2023 ", 2023), ("２０２３", 2023), ("2023年", 2023), ("2023年度", 2023), (2023, 2023),
    (2023.0, 2023), (str(MIN_YEAR), MIN_YEAR), (str(MAX_YEAR), MAX_YEAR),
    (None, None), ("", None), ("abc", None), ("2023.5", None), (2023.5, None), ("20234", None), ("1999", None),
    (MAX_YEAR + 1, None), ("2023-01", None), (True, None), ([2023], None),
])
def test_parse_year_reads_what_people_type_and_refuses_the_rest(value, year):
    assert parse_year(value) == year


def test_demo_divisions_fixture_codes_nest():
    """Every town's code starts with its county's 6 digits, every village's with its town's 9."""
    counties = fixture("demo_divisions.json")["counties"]
    codes = [village[0] for county in counties for town in county["towns"] for village in town["villages"]]
    assert len(codes) == len(set(codes))
    for county in counties:
        assert len(county["code"]) == 12 and county["code"].endswith("000000")
        for town in county["towns"]:
            assert town["code"][:6] == county["code"][:6] and town["code"].endswith("000")
            for code, name in town["villages"]:
                assert len(code) == 12 and code[:9] == town["code"][:9] and name
