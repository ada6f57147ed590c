"""Shares, party organisations and enterprises are kept in the admin, scoped like every other page:
a town cadre sees and picks only their town's; a county official sets the warning limits of their
county only. `grant_role_permissions` gives each role what it needs there."""

from decimal import Decimal

import pytest
from django.urls import reverse

from ledger.models import LedgerRules, Share
from ledger.roles import grant_role_permissions
from villages.models import Enterprise

from .factories import make_ledger_year


@pytest.fixture
def firms(world):
    return {
        "baqiao": Enterprise.objects.create(name="八桥镇强村公司", kind="strong_village_company",
                                            county=world["yangzhong"], town=world["baqiao"]),
        "xinba": Enterprise.objects.create(name="新坝镇强村公司", kind="strong_village_company",
                                           county=world["yangzhong"], town=world["xinba"]),
        "ziling": Enterprise.objects.create(name="紫陵镇皮筋头饰公司", kind="private",
                                            county=world["qinyang"], town=world["ziling"]),
    }


@pytest.fixture
def staffed(people):
    for user in people.values():
        grant_role_permissions(user)
    return people


def test_each_role_gets_admin_access_and_the_permissions_of_its_role(staffed):
    alice, carol, nobody = staffed["alice"], staffed["carol"], staffed["nobody"]
    alice.refresh_from_db()
    nobody.refresh_from_db()
    assert alice.is_staff and alice.has_perm("villages.change_enterprise") and alice.has_perm("ledger.add_share")
    assert not alice.has_perm("ledger.change_ledgeryear") and not alice.has_perm("ledger.change_ledgerrules")
    assert carol.has_perm("ledger.change_ledgerrules") and not carol.has_perm("villages.change_enterprise")
    assert not nobody.is_staff and not nobody.get_all_permissions()
    grant_role_permissions(alice)  # idempotent
    assert alice.groups.count() == 1


def test_cadre_sees_only_their_towns_enterprises_in_the_admin(client, staffed, firms):
    client.force_login(staffed["alice"])
    page = client.get(reverse("admin:villages_enterprise_changelist")).content.decode()
    assert "八桥镇强村公司" in page
    assert "新坝镇强村公司" not in page and "紫陵镇皮筋头饰公司" not in page and "沁阳市" not in page
    response = client.get(reverse("admin:villages_enterprise_change", args=[firms["xinba"].pk]))
    assert response.status_code == 302  # "does not exist", back to the admin index
    assert "新坝镇强村公司" not in client.get(response["Location"]).content.decode()


def test_cadre_can_only_pick_their_own_town_and_villages(client, staffed, firms, world):
    client.force_login(staffed["alice"])
    found = client.get(reverse("admin:autocomplete"), {
        "app_label": "villages", "model_name": "enterprise", "field_name": "town", "term": "镇"}).json()
    assert [result["text"] for result in found["results"]] == ["八桥镇"]
    page = client.get(reverse("admin:villages_enterprise_add")).content.decode()
    assert "扬中市" in page and "沁阳市" not in page  # the county is a plain select
    response = client.post(reverse("admin:villages_enterprise_add"), {
        "name": "越权公司", "kind": "private", "county": world["yangzhong"].pk, "town": world["xinba"].pk,
    })
    assert response.status_code == 200  # re-rendered with a "not one of the available choices" error
    assert not Enterprise.objects.filter(name="越权公司").exists()


def test_cadre_keeps_shares_of_their_villages_only(client, staffed, firms, world):
    client.force_login(staffed["alice"])
    mine = Share.objects.create(holder=world["villages"]["长胜村"], enterprise=firms["baqiao"],
                                amount=Decimal("500000"), start_year=2021)
    theirs = Share.objects.create(holder=world["villages"]["新坝村"], enterprise=firms["xinba"],
                                  amount=Decimal("300000"), start_year=2021)
    page = client.get(reverse("admin:ledger_share_changelist")).content.decode()
    assert reverse("admin:ledger_share_change", args=[mine.pk]) in page
    assert reverse("admin:ledger_share_change", args=[theirs.pk]) not in page


def test_cadre_cannot_import_files_in_the_admin(client, staffed):
    client.force_login(staffed["alice"])
    assert client.get(reverse("admin:villages_enterprise_import")).status_code == 403


def test_official_sets_warning_limits_for_their_county_only(client, staffed, world):
    client.force_login(staffed["carol"])
    LedgerRules.objects.create(county=world["qinyang"], line_ratio=Decimal("4"))
    page = client.get(reverse("admin:ledger_ledgerrules_add")).content.decode()
    assert "扬中市" in page and "沁阳市" not in page
    response = client.post(reverse("admin:ledger_ledgerrules_add"), {
        "county": world["yangzhong"].pk, "line_ratio": "2.5", "net_income_change_percent": "30",
        "line_ceiling": "50000000",
    })
    assert response.status_code == 302
    assert LedgerRules.for_county(world["yangzhong"].pk).line_ratio == Decimal("2.50")
    assert "沁阳市" not in client.get(reverse("admin:ledger_ledgerrules_changelist")).content.decode()


def test_out_of_scope_history_in_the_admin_is_404(client, staffed, world):
    other = make_ledger_year(world["villages"]["宋寨村"], 2024, {"operating_revenue": "100"})
    mine = make_ledger_year(world["villages"]["长胜村"], 2024, {"operating_revenue": "100"})
    client.force_login(staffed["carol"])
    assert client.get(reverse("admin:ledger_ledgeryear_history", args=[other.pk])).status_code == 404
    assert client.get(reverse("admin:ledger_ledgeryear_history", args=[mine.pk])).status_code == 200


def test_sync_role_permissions_command_gives_every_user_with_a_role_admin_access(people):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("sync_role_permissions", "--dry-run", stdout=out)
    people["alice"].refresh_from_db()
    assert not people["alice"].is_staff and "alice: 镇村账会计（填报）" in out.getvalue()
    call_command("sync_role_permissions", stdout=StringIO())
    for who in ("alice", "bob", "carol", "dave", "erin", "oscar"):
        people[who].refresh_from_db()
        assert people[who].is_staff
    people["nobody"].refresh_from_db()
    assert not people["nobody"].is_staff


def test_cadre_sees_but_cannot_change_a_party_organisation_spanning_towns(client, staffed, world):
    from villages.models import PartyOrganization, PartyOrganizationMembership

    own = PartyOrganization.objects.create(name="八桥镇长胜村党支部", kind="village_branch",
                                           county=world["yangzhong"], town=world["baqiao"])
    regional = PartyOrganization.objects.create(name="扬中市产业链联合党委", kind="joint_committee",
                                                county=world["yangzhong"])
    PartyOrganizationMembership.objects.create(organization=regional, village=world["villages"]["长胜村"])
    PartyOrganizationMembership.objects.create(organization=regional, village=world["villages"]["新坝村"])
    client.force_login(staffed["alice"])
    page = client.get(reverse("admin:villages_partyorganization_changelist")).content.decode()
    assert "八桥镇长胜村党支部" in page and "扬中市产业链联合党委" in page
    response = client.post(reverse("admin:villages_partyorganization_change", args=[regional.pk]), {
        "name": "改名", "kind": "joint_committee", "county": world["yangzhong"].pk})
    assert response.status_code == 403
    regional.refresh_from_db()
    assert regional.name == "扬中市产业链联合党委"
    page = client.get(reverse("admin:villages_partyorganization_change", args=[regional.pk])).content.decode()
    assert "长胜村" in page and "新坝村" not in page  # only memberships in her town are shown
    assert client.get(reverse("admin:villages_partyorganization_change", args=[own.pk])).status_code == 200


def test_town_page_links_to_the_town_records_kept_in_the_admin(client, staffed, world):
    client.force_login(staffed["alice"])
    page = client.get(reverse("ledger:town_villages", kwargs={"pk": world["baqiao"].pk})).content.decode()
    assert reverse("admin:ledger_share_changelist") in page
    assert reverse("admin:villages_enterprise_changelist") in page


def test_demo_users_get_the_admin_access_of_their_role(db):
    from django.contrib.auth import get_user_model

    from ledger.demo import load_demo

    load_demo()
    users = {user.username: user for user in get_user_model().objects.all()}
    assert users["baqiao_cadre"].is_staff and users["baqiao_cadre"].has_perm("ledger.change_share")
    assert users["baqiao_reviewer"].has_perm("villages.change_enterprise")
    assert users["yangzhong_official"].has_perm("ledger.change_ledgerrules")
    assert users["yangzhong_staff"].is_staff and not users["yangzhong_staff"].has_perm("ledger.change_ledgerrules")
