"""What each role may do with a village-year, on top of the scope helpers of `villages.access`.

Scope first, role second: a village-year outside the user's scope is a 404 (its existence is not
revealed, see `get_ledger_year_for_user`); inside the scope, these functions say which actions the
role allows in the year's current state. Views and templates ask here and nowhere else.

- 镇村账会计 (cadre): enters and submits the drafts (and the years sent back) of their town's villages,
  and withdraws a submission nobody has reviewed yet (撤回).
- 镇审核人 (reviewer): approves or sends back submitted years, reopens approved ones (with a reason).
- 县级管理人员 (official) and 统计/经管人员 (staff): read their county's accounts.
- 系统管理员 (admin): everything within scope.
An approved (已审核) year is read-only for everyone until a reviewer reopens it.
"""

from functools import partial

from django.http import Http404

from villages.access import has_role, visible_villages
from villages.models import UserRole

from .models import LedgerYear, LedgerYearEvent
from .services import TRANSITIONS

Role = UserRole.Role
Status = LedgerYear.Status
Action = LedgerYearEvent.Action

ENTRY_ROLES = (Role.CADRE, Role.ADMIN)
REVIEW_ROLES = (Role.REVIEWER, Role.ADMIN)
# Who takes each workflow step; which states a step starts from is `services.TRANSITIONS`.
STEP_ROLES = {
    Action.SUBMIT: ENTRY_ROLES,
    Action.WITHDRAW: ENTRY_ROLES,
    Action.APPROVE: REVIEW_ROLES,
    Action.REJECT: REVIEW_ROLES,
    Action.REOPEN: REVIEW_ROLES,
}
assert set(STEP_ROLES) == set(TRANSITIONS), "every workflow step needs the roles that take it"


def can_edit_ledger_year(user, ledger_year: LedgerYear | None) -> bool:
    """May the user change the amounts? `None` is a year nobody has entered yet (未填报)."""
    if not has_role(user, *ENTRY_ROLES):
        return False
    return ledger_year is None or ledger_year.is_open


def may_take_step(user, action: str) -> bool:
    """Does the role allow the workflow step at all (whatever a year's state)? 提交 and 撤回 are the
    cadres', the others the reviewers'."""
    return has_role(user, *STEP_ROLES[action])


def can_take_step(user, ledger_year: LedgerYear | None, action: str) -> bool:
    """May the user take the step on this village-year now: the role's right, and the year's state one
    the step starts from?"""
    allowed_from, _ = TRANSITIONS[action]
    return ledger_year is not None and ledger_year.status in allowed_from and may_take_step(user, action)


def can_submit(user, ledger_year: LedgerYear | None) -> bool:
    return can_take_step(user, ledger_year, Action.SUBMIT)


def can_approve(user, ledger_year: LedgerYear | None) -> bool:
    return can_take_step(user, ledger_year, Action.APPROVE)


def can_reject(user, ledger_year: LedgerYear | None) -> bool:
    return can_take_step(user, ledger_year, Action.REJECT)


def can_reopen(user, ledger_year: LedgerYear | None) -> bool:
    return can_take_step(user, ledger_year, Action.REOPEN)


def can_withdraw(user, ledger_year: LedgerYear | None) -> bool:
    return can_take_step(user, ledger_year, Action.WITHDRAW)


def can_delete_ledger_year(user, ledger_year: LedgerYear | None) -> bool:
    """May the user delete the village-year from the entry page? Those who enter it, while it is open
    (`services.ledger_years_delete` refuses the others)."""
    return ledger_year is not None and ledger_year.is_open and has_role(user, *ENTRY_ROLES)


# Workflow action → the check that allows it, in the order of `services.TRANSITIONS`.
TRANSITION_CHECKS = {str(action): partial(can_take_step, action=action) for action in TRANSITIONS}


def allowed_transitions(user, ledger_year: LedgerYear | None) -> list[str]:
    return [action for action in TRANSITION_CHECKS if can_take_step(user, ledger_year, action)]


def get_ledger_year_for_user(user, **lookup) -> LedgerYear:
    """The village-year if it lies in the user's scope, else 404 (whether or not it exists)."""
    queryset = LedgerYear.objects.filter(village__in=visible_villages(user)).select_related(
        "village__town__county", "system"
    )
    try:
        return queryset.get(**lookup)
    except (LedgerYear.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("未找到，或您无权访问。") from exc
