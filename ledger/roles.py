"""Django admin permissions that go with each role.

The accounts themselves are kept on our own pages (scope and workflow in `ledger.access`). Shares,
party organisations and enterprises are kept in the admin, whose querysets are scoped per role (see
`villages.admin.ScopedAdminMixin`), so the users who keep them need `is_staff` and model permissions.
One group per role holds those permissions; `grant_role_permissions` puts a user in the group of
their role. `load_demo` and the admin's user page can both use it.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from villages.access import role_of
from villages.models import UserRole

Role = UserRole.Role

_READ_MAP = ["villages.view_county", "villages.view_town", "villages.view_village"]
_KEEP_TOWN_RECORDS = [
    f"{app}.{action}_{model}"
    for app, model in [("villages", "enterprise"), ("villages", "partyorganization"),
                       ("villages", "partyorganizationmembership"), ("ledger", "share")]
    for action in ("view", "add", "change", "delete")
]
_READ_ACCOUNTS = ["ledger.view_ledgeryear", "ledger.view_ledgerline", "ledger.view_ledgeryearevent",
                  "ledger.view_accountingsystem", "ledger.view_lineitem", "ledger.view_metric"]
_READ_TOWN_RECORDS = ["villages.view_enterprise", "villages.view_partyorganization",
                      "villages.view_partyorganizationmembership", "ledger.view_share"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Town users keep their town's shares, party organisations and enterprises.
    Role.CADRE: [*_READ_MAP, *_KEEP_TOWN_RECORDS],
    Role.REVIEWER: [*_READ_MAP, *_KEEP_TOWN_RECORDS],
    # County officials read everything in the county and set the warning limits.
    Role.OFFICIAL: [*_READ_MAP, *_READ_TOWN_RECORDS, *_READ_ACCOUNTS,
                    "ledger.view_ledgerrules", "ledger.add_ledgerrules", "ledger.change_ledgerrules"],
    # Staff keep the county's records that imports refer to.
    Role.STAFF: [*_READ_MAP, *_KEEP_TOWN_RECORDS, *_READ_ACCOUNTS, "ledger.view_ledgerrules"],
    Role.ADMIN: [*_READ_MAP, *_KEEP_TOWN_RECORDS, *_READ_ACCOUNTS,
                 "villages.add_village", "villages.change_village", "villages.add_town", "villages.change_town",
                 "villages.view_userrole", "villages.add_userrole", "villages.change_userrole",
                 "ledger.view_ledgerrules", "ledger.add_ledgerrules", "ledger.change_ledgerrules"],
}


def group_name(role: str) -> str:
    return str(Role(role).label)


def _permissions(codes: list[str]) -> list[Permission]:
    query = Q()
    for code in codes:
        app_label, codename = code.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(query))
    if len(found) != len(set(codes)):
        missing = set(codes) - {f"{p.content_type.app_label}.{p.codename}" for p in found}
        raise LookupError(f"权限不存在（是否已执行 migrate？）：{sorted(missing)}")
    return found


@transaction.atomic
def sync_role_groups() -> dict[str, Group]:
    """Create or update one group per role with exactly the permissions above."""
    groups = {}
    for role, codes in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name(role))
        group.permissions.set(_permissions(codes))
        groups[role] = group
    return groups


@transaction.atomic
def grant_role_permissions(user, *, groups: dict[str, Group] | None = None) -> None:
    """Give the user the admin access of their role (`is_staff`, the role's group); idempotent.

    Users without a role get nothing and lose the role groups they had. `groups` (from
    `sync_role_groups`) saves re-syncing the groups when granting many users.
    """
    groups = groups or sync_role_groups()
    role = role_of(user)
    user.groups.remove(*groups.values())
    if role is None:
        return
    user.groups.add(groups[role.role])
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
