"""Reads for the reviewer: the 待审核 queue of a town's year, and what a submitted village-year needs
judged (the lines that raise warnings and the explanations given, what changed since the last approval),
each in a fixed number of queries. The cadre's page reads from here why a year was sent back.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from villages.models import Town, Village

from .checks import Warning, statement_warnings
from .models import LedgerLine, LedgerYear, LedgerYearEvent
from .selectors import PERSON_RELATED, Statement, person_name
from .services import town_year_candidates

Action = LedgerYearEvent.Action


def bulk_candidates(town: Town, year: int, action: str) -> list[LedgerYear]:
    """What 全部提交 / 全部审核通过 would move now, by village code (one query)."""
    return list(town_year_candidates(town=town, year=year, action=action)
                .select_related("village").order_by("village__code"))


def review_queue(town: Town, year: int) -> list[LedgerYear]:
    """The town's submitted village-years of `year`, in the order of the village list (by code), each
    with `submitted_by` (who submitted it): two queries."""
    queue = list(LedgerYear.objects.filter(town=town, year=year, status=LedgerYear.Status.SUBMITTED)
                 .select_related("village").order_by("village__code"))
    submitters = {}
    events = (LedgerYearEvent.objects.filter(ledger_year__in=[ly.pk for ly in queue], action=Action.SUBMIT)
              .select_related("actor", *(f"actor__{path}" for path in PERSON_RELATED)).order_by("at", "pk"))
    for event in events:
        submitters[event.ledger_year_id] = event  # the latest wins
    for ledger_year in queue:
        event = submitters.get(ledger_year.pk)
        ledger_year.submitted_by = person_name(event.actor) if event else ""
    return queue


@dataclass
class QueuePlace:
    """Where a village-year stands in its town's 待审核 queue."""

    position: int | None  # 1-based; None when the year itself is not waiting
    total: int
    next_village_id: int | None  # the next waiting village after this one (wrapping round), if any


def queue_place(village: Village, year: int) -> QueuePlace:
    """One query: the waiting villages of the same town and year, by code."""
    waiting = list(LedgerYear.objects.filter(town_id=village.town_id, year=year, status=LedgerYear.Status.SUBMITTED)
                   .order_by("village__code").values_list("village_id", "village__code"))
    ids = [village_id for village_id, _ in waiting]
    position = ids.index(village.pk) + 1 if village.pk in ids else None
    code = village.code
    later = [village_id for village_id, other in waiting if other > code]
    earlier = [village_id for village_id, other in waiting if other < code]
    following = (later or earlier or [None])[0]
    return QueuePlace(position=position, total=len(ids), next_village_id=following)


@dataclass
class Explanation:
    at: datetime
    who: str
    reason: str


@dataclass
class LineChange:
    """A line of the statement as it was approved and as it is now."""

    item: str
    name: str
    old: Decimal | None  # None: added since
    new: Decimal | None  # None: deleted since
    who: str


@dataclass
class ReviewSummary:
    """What the top of a village-year page says about its review."""

    returned: LedgerYearEvent | None = None  # the 退回 that made the year 已退回 (reason, who, when)
    returned_by: str = ""
    warnings: list[Warning] = field(default_factory=list)
    explanations: list[Explanation] = field(default_factory=list)
    approved_at: datetime | None = None  # the last approval, for a year reopened since
    approved_by: str = ""
    changes: list[LineChange] = field(default_factory=list)

    @property
    def needs_judgement(self) -> bool:
        return bool(self.warnings or self.explanations or self.changes)


def review_summary(statement: Statement) -> ReviewSummary:
    """Three queries: the year's events, and for a year approved before, its lines' history."""
    ledger_year = statement.ledger_year
    summary = ReviewSummary()
    if ledger_year is None:
        return summary
    events = list(LedgerYearEvent.objects.filter(ledger_year=ledger_year)
                  .select_related("actor", *(f"actor__{path}" for path in PERSON_RELATED)).order_by("at", "pk"))
    approvals = [event for event in events if event.action == Action.APPROVE]
    last_approval = approvals[-1] if approvals else None
    if ledger_year.status == LedgerYear.Status.RETURNED:
        rejects = [event for event in events if event.action == Action.REJECT]
        if rejects:
            summary.returned, summary.returned_by = rejects[-1], person_name(rejects[-1].actor)
    since = last_approval.at if last_approval else None
    summary.explanations = [
        Explanation(event.at, person_name(event.actor), event.reason) for event in reversed(events)
        if event.action == Action.SAVE and event.reason and (since is None or event.at > since)]
    summary.warnings = statement_warnings(
        items=statement.items, new=statement.stored_totals, stored={},
        last_year_by_code=statement.last_by_code if statement.last_year else None,
        last_year_net_income=statement.last_year.net_income if statement.last_year else None,
        rules=statement.rules, last_year_other_system=statement.last_other_system,
        carried_forward=statement.carried_forward,
    )
    if last_approval is not None and ledger_year.status != LedgerYear.Status.APPROVED:
        summary.approved_at, summary.approved_by = last_approval.at, person_name(last_approval.actor)
        summary.changes = _changes_since(statement, since)
    return summary


def _changes_since(statement: Statement, since: datetime) -> list[LineChange]:
    """Line by line, the amounts at `since` against the stored ones, with who changed them since."""
    Historical = LedgerLine.history.model
    rows = (Historical.objects.filter(ledger_year_id=statement.ledger_year.pk)
            .select_related("history_user", *(f"history_user__{path}" for path in PERSON_RELATED))
            .order_by("history_date", "history_id"))
    then: dict[int, object] = {}  # line id → its history row as of `since`
    who: dict[tuple[int, str], list[str]] = {}
    for row in rows:
        if row.history_date <= since:
            then[row.id] = row
            continue
        names = who.setdefault((row.item_id, row.name), [])
        person = person_name(row.history_user)
        if person not in names:
            names.append(person)
    old = {(row.item_id, row.name): row.amount for row in then.values() if row.history_type != "-"}
    new = {(line.item_id, line.name): line.amount for line in statement.lines}
    order = {item.pk: (item.line_number, item.name) for item in statement.items}
    changes = []
    for key in sorted(set(old) | set(new), key=lambda key: (order.get(key[0], (0, "")), key[1])):
        if old.get(key) == new.get(key):
            continue
        changes.append(LineChange(item=order.get(key[0], (0, ""))[1], name=key[1], old=old.get(key),
                                  new=new.get(key), who="、".join(who.get(key, []))))
    return changes
