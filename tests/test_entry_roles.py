"""`ledger.access`: which role may do what to a village-year in which state, and the 404 helper."""

import pytest
from django.http import Http404

from ledger import access

from .factories import make_ledger_year

# role → the actions it may take in each state (None: nobody entered the year yet)
EXPECTED = {
    "alice": {None: {"edit"}, "draft": {"edit", "submit"}, "submitted": set(), "approved": set()},
    "bob": {None: set(), "draft": set(), "submitted": {"approve", "reject"}, "approved": {"reopen"}},
    "carol": {None: set(), "draft": set(), "submitted": set(), "approved": set()},
    "dave": {None: set(), "draft": set(), "submitted": set(), "approved": set()},
    "nobody": {None: set(), "draft": set(), "submitted": set(), "approved": set()},
    "admin": {None: {"edit"}, "draft": {"edit", "submit"}, "submitted": {"approve", "reject"},
              "approved": {"reopen"}},
}


@pytest.mark.parametrize("who", EXPECTED)
@pytest.mark.parametrize("status", [None, "draft", "submitted", "approved"])
def test_each_role_may_take_exactly_its_steps(people, world, who, status):
    ledger_year = None
    if status is not None:
        ledger_year = make_ledger_year(world["villages"]["长胜村"], 2025, {"operating_revenue": "1"}, status=status)
    user = people[who]
    allowed = set(access.allowed_transitions(user, ledger_year))
    if access.can_edit_ledger_year(user, ledger_year):
        allowed.add("edit")
    assert allowed == EXPECTED[who][status]


def test_get_ledger_year_for_user_is_404_outside_scope(people, world):
    ly = make_ledger_year(world["villages"]["长胜村"], 2025, {"operating_revenue": "1"})
    assert access.get_ledger_year_for_user(people["carol"], pk=ly.pk) == ly
    for who in ("erin", "oscar", "nobody"):
        with pytest.raises(Http404):
            access.get_ledger_year_for_user(people[who], pk=ly.pk)
    with pytest.raises(Http404):
        access.get_ledger_year_for_user(people["admin"], pk="not-a-number")
