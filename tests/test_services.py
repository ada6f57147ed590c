from decimal import Decimal

import pytest

from ledger import services
from ledger.models import LedgerLine, LedgerYearEvent

from .factories import item_for_year, make_ledger_year


def line(year, code, amount, name=""):
    return services.LineInput(item_id=item_for_year(year, code).pk, amount=Decimal(amount), name=name)


def test_every_amount_change_is_kept_with_who_what_and_how(world, people):
    alice = people["alice"]
    ly = make_ledger_year(world["villages"]["长胜村"], 2025, {"operating_revenue": "100"}, actor=alice)
    services.ledger_year_replace_lines(ledger_year=ly, lines=[line(2025, "operating_revenue", "120")],
                                       actor=alice, source="form", reason="补录租金")
    services.ledger_year_replace_lines(ledger_year=ly, lines=[], actor=alice, source="form")
    history = list(LedgerLine.history.filter(ledger_year_id=ly.pk).order_by("history_date", "history_id"))
    assert [(h.history_type, h.amount) for h in history] == [
        ("+", Decimal("100.00")), ("~", Decimal("120.00")), ("-", Decimal("120.00"))]
    assert history[1].history_user == alice
    assert history[1].history_source == "form"
    assert history[1].history_change_reason == "补录租金"
    assert history[1].prev_record.amount == Decimal("100.00")


def test_approved_year_cannot_be_changed(world):
    ly = make_ledger_year(world["villages"]["长胜村"], 2024, {"operating_revenue": "100"}, status="approved")
    with pytest.raises(services.LedgerLocked, match="已审核锁定"):
        services.ledger_year_replace_lines(ledger_year=ly, lines=[line(2024, "operating_revenue", "1")])
    assert ly.lines.get().amount == Decimal("100.00")


def test_a_save_from_an_old_version_is_refused_and_nothing_is_overwritten(world):
    ly = make_ledger_year(world["villages"]["长胜村"], 2025, {"operating_revenue": "100"})
    opened = ly.version
    services.ledger_year_replace_lines(ledger_year=ly, lines=[line(2025, "operating_revenue", "150")],
                                       expected_version=opened)
    with pytest.raises(services.StaleVersion, match="已被他人修改"):
        services.ledger_year_replace_lines(ledger_year=ly, lines=[line(2025, "operating_revenue", "999")],
                                           expected_version=opened)
    assert ly.lines.get().amount == Decimal("150.00")


def test_items_of_another_system_and_bad_amounts_are_refused(world):
    ly = make_ledger_year(world["villages"]["长胜村"], 2025)
    with pytest.raises(services.LedgerError, match="不属于 2025 年适用的会计制度"):
        services.ledger_year_replace_lines(ledger_year=ly, lines=[line(2023, "contract_remittance", "1")])
    with pytest.raises(services.LedgerError, match="两位小数"):
        services.ledger_year_replace_lines(ledger_year=ly, lines=[line(2025, "operating_revenue", "1.005")])
    assert not ly.lines.exists()


def test_workflow_records_who_when_and_why(world, people):
    ly = make_ledger_year(world["villages"]["长胜村"], 2025, {"operating_revenue": "100"})
    services.ledger_year_transition(ledger_year=ly, action="submit", actor=people["alice"])
    services.ledger_year_transition(ledger_year=ly, action="approve", actor=people["bob"])
    assert ly.status == "approved" and ly.approved_by == people["bob"]
    with pytest.raises(services.LedgerError, match="原因"):
        services.ledger_year_transition(ledger_year=ly, action="reopen", actor=people["bob"])
    services.ledger_year_transition(ledger_year=ly, action="reopen", actor=people["bob"], reason="更正租金")
    with pytest.raises(services.LedgerError, match="不能执行"):
        services.ledger_year_transition(ledger_year=ly, action="approve", actor=people["bob"])
    events = list(LedgerYearEvent.objects.filter(ledger_year=ly).values_list("action", "to_status", "reason"))
    assert events[1:] == [("submit", "submitted", ""), ("approve", "approved", ""),
                          ("reopen", "draft", "更正租金")]


@pytest.mark.parametrize("reason", ["", "   ", "\u200b", "\u3000\u200d", "\x01\x7f"])
def test_a_step_that_needs_a_reason_refuses_one_with_nothing_visible_in_the_service_itself(world, people, reason):
    ly = make_ledger_year(world["villages"]["长胜村"], 2024, {"operating_revenue": "100"}, status="submitted")
    with pytest.raises(services.LedgerError, match="必须填写原因"):
        services.ledger_year_transition(ledger_year=ly, action=LedgerYearEvent.Action.REJECT, actor=people["bob"],
                                        reason=reason)
    ly.refresh_from_db()
    assert ly.status == "submitted" and not ly.events.filter(action=LedgerYearEvent.Action.REJECT).exists()


def test_a_save_with_warnings_needs_an_explanation_with_visible_text(world, people):
    village = world["villages"]["长胜村"]
    with pytest.raises(services.LedgerError, match="请填写说明"):
        services.ledger_year_save_statement(village=village, year=2025, lines=[line(2025, "operating_revenue", "100")],
                                            actor=people["alice"], expected_version=0, reason="\u200b",
                                            warnings=["经营收入超过上年的 3 倍。"])
    assert not village.ledger_years.filter(year=2025).exists()
