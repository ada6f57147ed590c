from decimal import Decimal

from ledger import services
from ledger.models import LedgerYear

from .importfiles import MESSY_WIDE_MERGES, messy_wide_rows, xlsx


def lines_of(village, year):
    ly = LedgerYear.objects.get(village=village, year=year)
    return {(line.item.code, line.name): line.amount for line in ly.lines.select_related("item")}


def test_messy_wide_xlsx_reads_title_year_unit_two_row_header_and_skips_totals(world):
    data = xlsx(("收益分配", messy_wide_rows()), merges=MESSY_WIDE_MERGES)
    check = services.import_check(data=data, town=world["baqiao"])
    assert check.ok, [str(p) for p in check.problems]
    changsheng = world["villages"]["长胜村"]
    lines = {(k[1], v.item_id): v.amount for k, v in check.parsed.statements[(changsheng.pk, 2023)].items()}
    assert sorted(lines.values()) == [Decimal("200000.00"), Decimal("300000.00"), Decimal("1205000.00"),
                                      Decimal("10000000.00")]
    assert len(check.parsed.statements) == 2
    assert "万元" in check.notes[0]
