"""Reads for the dashboard pages, one module per page, each read in a fixed number of queries, all from
the figures every `LedgerYear` keeps (kept true by `ledger.services` on every write; nothing here sums
raw ledger lines for a league table).

- `scope`: the part of the map a page covers, the statuses counted, growth, means, ranks;
- `overview`: the 总览 headline, trend, units and villages;
- `villages`: the village league table, ranked in the database by window functions (raw SQL, `sql`);
- `towns`: the town (county) league table and the tier counts per unit;
- `organizations`: party organisations and clusters; `profile`: one village over the years;
- `years`: the year a page opens on (the last complete one) and why;
- `progress`: 填报进度 against the deadlines; `warnings` (with `warning_sql`): 三色预警.

Every function takes keyword arguments only.
"""

from .organizations import OrganizationRow, organization_ranking
from .overview import Overview, OverviewPage, comparable_sums, overview_page, yearly_trend
from .profile import Profile, ProfileYear, StatementRow, village_profile
from .scope import APPROVED, APPROVED_AND_SUBMITTED, Scope, available_years, statuses
from .towns import UNIT_SORTS, UnitRow, unit_table, unit_table_page
from .villages import (
    Unreported,
    VillageRow,
    ranked_villages,
    unreported_villages,
    village_condition,
    village_ranking,
)

__all__ = [
    "APPROVED", "APPROVED_AND_SUBMITTED", "UNIT_SORTS", "OrganizationRow", "Overview", "OverviewPage", "Profile",
    "ProfileYear", "Scope", "StatementRow", "UnitRow", "Unreported", "VillageRow", "available_years",
    "comparable_sums", "organization_ranking", "overview_page", "ranked_villages", "statuses", "unit_table",
    "unit_table_page", "unreported_villages", "village_condition", "village_profile", "village_ranking",
    "yearly_trend",
]
