"""What the API answers. Amounts are Decimal 元 with 2 decimals, sent as strings ("1234567.89"), so no
client adds them up as floats; growth in % with one decimal; counts are integers."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from ninja import Schema
from pydantic import PlainSerializer

CENT = Decimal("0.01")
# 元 with exactly 2 decimals, as a string: SQLite sums whole amounts to integers, PostgreSQL keeps the scale.
Money = Annotated[Decimal, PlainSerializer(lambda value: str(Decimal(value).quantize(CENT)), return_type=str)]


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
    total_income: Money
    operating_income: Money
    operating_mean: Money | None
    previous_reporting: int
    previous_total_income: Money
    previous_operating_mean: Money | None
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
    value: Money
    previous_value: Money | None
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
    total: Money
    mean: Money | None
    median: Money | None
    highest: Money | None
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
    total_income: Money | None
    operating_income: Money | None
    operating_mean: Money | None


class TrendsOut(Schema):
    scope: ScopeOut
    include_submitted: bool
    rows: list[TrendPoint]
