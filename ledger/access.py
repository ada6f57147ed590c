"""What each role may do with a village-year, on top of the scope helpers of `villages.access`.

Scope first, role second: a village-year outside the user's scope is a 404 (its existence is not
revealed, see `get_ledger_year_for_user`); inside the scope, these functions say which actions the
role allows in the year's current state. Views and templates ask here and nowhere else.

- 镇村账会计 (cadre): enters and submits the drafts of their town's villages.
- 镇审核人 (reviewer): approves or sends back submitted years, reopens approved ones (with a reason).
- 县级管理人员 (official) and 统计/经管人员 (staff): read their county's accounts.
- 系统管理员 (admin): everything within scope.
An approved (已审核) year is read-only for everyone until a reviewer reopens it.
"""

from django.http import Http404

from villages.access import has_role, visible_villages
from villages.models import UserRole

from .models import LedgerYear

Role = UserRole.Role
Status = LedgerYear.Status

ENTRY_ROLES = (Role.CADRE, Role.ADMIN)
REVIEW_ROLES = (Role.REVIEWER, Role.ADMIN)


def can_edit_ledger_year(user, ledger_year: LedgerYear | None) -> bool:
    """May the user change the amounts? `None` is a year nobody has entered yet (未填报)."""
    if not has_role(user, *ENTRY_ROLES):
        return False
    return ledger_year is None or ledger_year.status == Status.DRAFT


def can_submit(user, ledger_year: LedgerYear | None) -> bool:
    return ledger_year is not None and ledger_year.status == Status.DRAFT and has_role(user, *ENTRY_ROLES)


def can_approve(user, ledger_year: LedgerYear | None) -> bool:
    return ledger_year is not None and ledger_year.status == Status.SUBMITTED and has_role(user, *REVIEW_ROLES)


def can_reject(user, ledger_year: LedgerYear | None) -> bool:
    return can_approve(user, ledger_year)


def can_reopen(user, ledger_year: LedgerYear | None) -> bool:
    return ledger_year is not None and ledger_year.status == Status.APPROVED and has_role(user, *REVIEW_ROLES)


# Workflow action → the check that allows it (the action names of `services.TRANSITIONS`).
TRANSITION_CHECKS = {
    "submit": can_submit,
    "approve": can_approve,
    "reject": can_reject,
    "reopen": can_reopen,
}


def may_take_step(user, action: str) -> bool:
    """Does the role allow the workflow step at all (whatever a year's state)? 提交 is the cadres',
    the others the reviewers'."""
    return has_role(user, *(ENTRY_ROLES if action == "submit" else REVIEW_ROLES))


def allowed_transitions(user, ledger_year: LedgerYear | None) -> list[str]:
    return [action for action, check in TRANSITION_CHECKS.items() if check(user, ledger_year)]


def get_ledger_year_for_user(user, **lookup) -> LedgerYear:
    """The village-year if it lies in the user's scope, else 404 (whether or not it exists)."""
    queryset = LedgerYear.objects.filter(village__in=visible_villages(user)).select_related(
        "village__town__county", "system"
    )
    try:
        return queryset.get(**lookup)
    except (LedgerYear.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("未找到，或您无权访问。") from exc
