"""What the API answers. Amounts are Decimal 元 with 2 decimals, sent as strings ("1234567.89"), so no
client adds them up as floats; growth in % with one decimal; counts are integers."""

from datetime import datetime
from decimal import Decimal

from ninja import Schema


class ScopeOut(Schema):
    level: str  # "province", "county" or "town"
    label: str
    county_id: int | None
    town_id: int | None


class Selection(Schema):
    """What every answer says it covers."""

    scope: ScopeOut
    year: int
    metric: str
    metric_name: str
    include_submitted: bool
    years: list[int]


class TierCount(Schema):
    label: str
    description: str
    villages: int


class OverviewOut(Selection):
    villages_in_scope: int
    reporting: int
    total_income: Decimal
    operating_income: Decimal
    operating_mean: Decimal | None
    previous_reporting: int
    previous_total_income: Decimal
    previous_operating_mean: Decimal | None
    total_growth: Decimal | None
    operating_mean_growth: Decimal | None
    tiers: list[TierCount]
    weak: int
    shell: int
    as_of: datetime | None


class VillageOut(Schema):
    rank: int
    previous_rank: int | None
    rank_change: int | None
    village_id: int
    name: str
    code: str
    town_id: int
    town_name: str
    value: Decimal
    previous_value: Decimal | None
    growth: Decimal | None
    tier: str
    weak: bool
    shell: bool
    status: str


class VillageRankingOut(Selection):
    total: int
    limit: int
    offset: int
    rows: list[VillageOut]


class TownOut(Schema):
    rank: int
    town_id: int
    name: str
    code: str
    villages: int
    total: Decimal
    mean: Decimal | None
    median: Decimal | None
    highest: Decimal | None
    growth: Decimal | None
    mean_growth: Decimal | None
    weak: int
    shell: int
    bands: list[int]


class TownRankingOut(Selection):
    sort: str
    tier_labels: list[str]  # `bands` of each town: villages in each tier, then below every tier
    rows: list[TownOut]


class TiersOut(Selection):
    labels: list[str]
    totals: list[int]
    weak: int
    shell: int
    units: list[TownOut]


class TrendPoint(Schema):
    year: int
    reporting: int
    total_income: Decimal | None
    operating_income: Decimal | None
    operating_mean: Decimal | None


class TrendsOut(Schema):
    scope: ScopeOut
    include_submitted: bool
    rows: list[TrendPoint]
