"""Hostile text in every free-text field a user can fill, for the hostile-text tests (pages, files and
the browser): a town and villages named with it, whose books, history, organisations, enterprises and
tiers carry it too, written through the same services users go through."""

from decimal import Decimal

from dashboards.services import ThresholdInput, tier_scheme_update
from ledger import services
from ledger.models import Share
from villages.models import Enterprise, PartyOrganization, PartyOrganizationMembership

from . import factories

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = "\"'><img src=x onerror=alert(1)>"
FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "@SUM(1)", "-2+3"]
HOSTILE = [SCRIPT, ATTRIBUTE, *FORMULAS]


def build() -> dict:
    county = factories.make_county("321182000000", "扬中市")
    town = factories.make_town(county, 103, SCRIPT + "镇")
    other_town = factories.make_town(county, 104, ATTRIBUTE)
    villages = [factories.make_village(town, 201 + i, name) for i, name in enumerate(HOSTILE)]
    factories.make_village(other_town, 201, "=HYPERLINK(\"http://x\")村")
    cadre = factories.make_user("cadre", "cadre", town=town)
    reviewer = factories.make_user("reviewer", "reviewer", town=town)
    staff = factories.make_user("staff", "staff", county=county)
    official = factories.make_user("official", "official", county=county)
    revenue = factories.item_for_year(2023, "operating_revenue").pk
    for i, village in enumerate(villages):
        ly = services.ledger_year_open(village=village, year=2023, actor=cadre)
        lines = [services.LineInput(item_id=revenue, name=HOSTILE[(i + k) % len(HOSTILE)],
                                    note=HOSTILE[(i + k + 1) % len(HOSTILE)], amount=Decimal(100000 * (i + k + 1)))
                 for k in range(2)]
        services.ledger_year_replace_lines(ledger_year=ly, lines=lines, actor=cadre, source="form",
                                           reason=HOSTILE[(i + 2) % len(HOSTILE)] + "（变动说明）")
        services.ledger_year_transition(ledger_year=ly, action="submit", actor=cadre)
        if i == 0:  # sent back once, with a hostile reason, then approved
            services.ledger_year_transition(ledger_year=ly, action="reject", actor=reviewer, reason=SCRIPT + ATTRIBUTE)
            services.ledger_year_transition(ledger_year=ly, action="submit", actor=cadre)
        services.ledger_year_transition(ledger_year=ly, action="approve", actor=reviewer)
    # An open draft: the 项目 names and notes come back inside form inputs.
    draft = services.ledger_year_open(village=villages[0], year=2024, actor=cadre)
    services.ledger_year_replace_lines(ledger_year=draft, actor=cadre, source="form", lines=[
        services.LineInput(item_id=factories.item_for_year(2024, "operating_revenue").pk, name=name, note=name,
                           amount=Decimal(1000)) for name in HOSTILE])
    organization = PartyOrganization.objects.create(name=SCRIPT + "联合党委", kind="joint_committee", county=county,
                                                    town=town, industry=ATTRIBUTE, note=SCRIPT)
    for village in villages:
        PartyOrganizationMembership.objects.create(organization=organization, village=village)
    PartyOrganization.objects.create(name="=cmd|' /C calc'!A0", kind="regional_committee", county=county,
                                     industry="+1+1")
    enterprise = Enterprise.objects.create(name=ATTRIBUTE + "强村公司", kind="village_company", county=county,
                                           town=town, village=villages[0], industry=SCRIPT, note=ATTRIBUTE)
    Share.objects.create(holder=villages[0], enterprise=enterprise, amount=Decimal(500000), start_year=2020,
                         note=SCRIPT)
    tier_scheme_update(county=county, actor=official, weak_metric="operating_income", weak_line=Decimal(100000),
                       shell_metric="operating_income", shell_line=Decimal(50000), thresholds=[
                           ThresholdInput(label=SCRIPT, metric="total_income", min_amount=Decimal(1000000)),
                           ThresholdInput(label="=cmd|' /C calc'!A0", metric="total_income",
                                          min_amount=Decimal(500000)),
                           ThresholdInput(label="@SUM(1)", metric="total_income", min_amount=Decimal(0))])
    return {"county": county, "town": town, "other_town": other_town, "villages": villages, "cadre": cadre,
            "staff": staff, "official": official, "organization": organization}


# Control characters as Word and old systems leave them (\x0b is Word's manual line break).
CONTROLS = ["\x01", "\x7f", "\x0b", "\x1f", "\x08"]


def build_with_controls() -> dict:
    """A town, villages, 项目 and 备注 holding control characters, stored as older paths let them in
    (straight into the tables, as the admin or an import before ledger.text did)."""
    county = factories.make_county("321182000000", "扬中市")
    town = factories.make_town(county, 103, "八桥\x0b镇")
    villages = [factories.make_village(town, 201 + i, f"长{control}胜{i}村") for i, control in enumerate(CONTROLS)]
    cadre = factories.make_user("cadre", "cadre", town=town)
    reviewer = factories.make_user("reviewer", "reviewer", town=town)
    staff = factories.make_user("staff", "staff", county=county)
    official = factories.make_user("official", "official", county=county)
    for year in (2023, 2024):
        revenue = factories.item_for_year(year, "operating_revenue").pk
        for i, village in enumerate(villages):
            ly = services.ledger_year_open(village=village, year=year, actor=cadre)
            services.ledger_year_replace_lines(ledger_year=ly, actor=cadre, source="form", lines=[
                services.LineInput(item_id=revenue, name=f"厂房{CONTROLS[i]}租金", note=f"备注{CONTROLS[i]}说明",
                                   amount=Decimal(100000 * (i + 1)))])
            if year == 2023:  # approved, so that the dashboards count it
                services.ledger_year_transition(ledger_year=ly, action="submit", actor=cadre)
                services.ledger_year_transition(ledger_year=ly, action="approve", actor=reviewer)
    return {"county": county, "town": town, "villages": villages, "cadre": cadre, "staff": staff,
            "official": official}
