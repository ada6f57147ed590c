"""`ledger.access`: which role may do what to a village-year in which state, and the 404 helper."""

import pytest
from django.http import Http404

from ledger import access
from ledger.models import LedgerYear, LedgerYearEvent
from villages.validators import has_visible_text

from .entry_helpers import statement_data, transition_url, village_year_url
from .factories import make_ledger_year

# role → the actions it may take in each state (None: nobody entered the year yet)
EXPECTED = {
    "alice": {None: {"edit"}, "draft": {"edit", "submit"}, "submitted": {"withdraw"}, "approved": set(),
              "returned": {"edit", "submit"}},
    "bob": {None: set(), "draft": set(), "submitted": {"approve", "reject"}, "approved": {"reopen"}, "returned": set()},
    "carol": {None: set(), "draft": set(), "submitted": set(), "approved": set(), "returned": set()},
    "dave": {None: set(), "draft": set(), "submitted": set(), "approved": set(), "returned": set()},
    "nobody": {None: set(), "draft": set(), "submitted": set(), "approved": set(), "returned": set()},
    "admin": {None: {"edit"}, "draft": {"edit", "submit"}, "submitted": {"approve", "reject", "withdraw"},
              "approved": {"reopen"}, "returned": {"edit", "submit"}},
}


@pytest.mark.parametrize("who", EXPECTED)
@pytest.mark.parametrize("status", [None, "draft", "submitted", "approved", "returned"])
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


INVISIBLE_REASONS = ["\u200b", " \u200b\u200c\u200d\ufeff ", "\u3000\u3000", "\u200e\u200f", "\x01\x7f", "\u0301",
                     "\u3164"]


@pytest.mark.parametrize("reason", INVISIBLE_REASONS)
@pytest.mark.parametrize("action", ["reject", "reopen"])
def test_a_reason_with_nothing_visible_is_no_reason(client, people, world, action, reason):
    village = world["villages"]["长胜村"]
    ly = make_ledger_year(village, 2025, {"operating_revenue": "1000000"},
                          status="submitted" if action == "reject" else "approved")
    client.force_login(people["bob"])
    response = client.post(transition_url(village, 2025), {"action": action, "reason": reason}, follow=True)
    assert "必须填写原因" in response.content.decode()
    ly.refresh_from_db()
    assert ly.status == ("submitted" if action == "reject" else "approved")
    assert not LedgerYearEvent.objects.filter(ledger_year=ly, action=action).exists()


@pytest.mark.parametrize("explanation", INVISIBLE_REASONS)
def test_a_warning_explanation_with_nothing_visible_does_not_explain(client, people, world, explanation):
    village = world["villages"]["长胜村"]
    make_ledger_year(village, 2024, {"operating_revenue": "1000000"}, status="approved")
    client.force_login(people["alice"])
    response = client.post(village_year_url(village, 2025),
                           statement_data(2025, {"operating_revenue": "400"}, explanation=explanation))
    assert response.status_code == 200
    assert "请填写变动说明后再保存" in response.content.decode()
    assert not LedgerYear.objects.filter(village=village, year=2025).exists()


def test_has_visible_text_counts_only_what_shows():
    for blank in [*INVISIBLE_REASONS, "", None, 0]:
        assert not has_visible_text(blank), repr(blank)
    for text in ["漏记", " a ", "\u200b理由\u200b", "5", "—", "😀"]:
        assert has_visible_text(text), repr(text)
