"""The demo's 财务公开: on for 扬中市 (idempotent: an existing setting is left as it is)."""

from villages.models import County

from .models import DisclosureSetting
from .services import disclosure_set

DEMO_COUNTY_CODE = "321182000000"  # 扬中市


def load_demo() -> None:
    county = County.objects.filter(code=DEMO_COUNTY_CODE).first()
    if county is not None and not DisclosureSetting.objects.filter(county=county).exists():
        disclosure_set(county=county, enabled=True)
