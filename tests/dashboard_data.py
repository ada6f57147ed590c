"""八桥镇-style data for the dashboard tests, as the 2021 report states it.

2021 总收入: one village over 500万, four over 300万, the rest over 150万 (all approved);
2020 for growth and rank change; a submitted 2021 village in 新坝镇 for the approved/submitted switch.
"""

from decimal import Decimal

from .factories import make_ledger_year, make_village

WAN = Decimal(10000)

# village: (2021 经营收入, 2021 补助收入, 2020 经营收入, 2020 补助收入) in 万元 (2004 system items).
BAQIAO = {
    "八桥村": (400, 120, 300, 100),   # 总收入 520 → ≥500万
    "长胜村": (300, 80, 310, 80),     # 380
    "幸福村": (290, 60, 200, 50),     # 350
    "永胜村": (270, 60, 250, 60),     # 330
    "红旗村": (250, 60, 260, 60),     # 310
    "永兴村": (150, 50, 120, 40),     # 200
    "红光村": (130, 50, 140, 40),     # 180
    "利民村": (6, 154, 5, 150),       # 160, but 经营性收入 6万: 薄弱村, not 空壳村
}
NUMBERS = {"八桥村": 207, "长胜村": 201, "幸福村": 202, "永胜村": 203, "红旗村": 204, "永兴村": 205,
           "红光村": 206, "利民村": 208}


def build(world, *, actor=None):
    baqiao = world["baqiao"]
    villages = {}
    for name, (op21, sub21, op20, sub20) in BAQIAO.items():
        village = make_village(baqiao, NUMBERS[name], name)
        villages[name] = village
        make_ledger_year(village, 2020, {"operating_revenue": op20 * WAN, "subsidy_income": sub20 * WAN},
                         status="approved", actor=actor)
        make_ledger_year(village, 2021, {"operating_revenue": op21 * WAN // 2, "contract_remittance": op21 * WAN // 2,
                                         "subsidy_income": sub21 * WAN}, status="approved", actor=actor)
    xinba_village = world["villages"]["新坝村"]
    villages["新坝村"] = xinba_village
    make_ledger_year(xinba_village, 2020, {"operating_revenue": 3 * WAN}, status="approved", actor=actor)
    # 2021 is only submitted: counted only when the official asks for submitted data too.
    make_ledger_year(xinba_village, 2021, {"operating_revenue": 900 * WAN}, status="submitted", actor=actor)
    # Other county: must never appear in 扬中市's tables.
    make_ledger_year(world["villages"]["宋寨村"], 2021, {"operating_revenue": 999 * WAN}, status="approved")
    return villages
