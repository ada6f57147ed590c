from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ledger import exports
from ledger.money import UNIT_CODES
from villages.models import Village
from villages.selectors import TownNotFound, town_by_code_or_name


class Command(BaseCommand):
    help = ("导出台账明细（长表，每行一条明细）：列为 区划代码, 乡镇, 村, 年度, 科目, 项目, 金额, 备注；"
            "按扩展名写 .csv（UTF-8）或 .xlsx。")

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="输出文件路径（.csv 或 .xlsx）")
        parser.add_argument("--year", type=int, help="只导出该年度")
        parser.add_argument("--town", help="只导出该乡镇（区划代码或名称）")
        parser.add_argument("--unit", choices=["元", "万元"], default="元",
                            help="金额单位（默认元；万元保留六位小数，不丢分）")

    def handle(self, *args, output, year=None, town=None, unit="元", **options):
        path = Path(output)
        suffix = path.suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise CommandError("输出文件的扩展名应为 .csv 或 .xlsx。")
        try:
            town_obj = town_by_code_or_name(town) if town else None
        except TownNotFound as exc:
            raise CommandError(f"{exc}。") from exc
        years = exports.ledger_years(villages=Village.objects.all(), year=year, town=town_obj)
        unit_code = UNIT_CODES[unit]
        data = exports.long_csv(years, unit_code) if suffix == ".csv" else exports.long_xlsx(years, unit_code)
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"无法写入 {path}：{exc}") from exc
        self.stdout.write(f"已导出 {years.count()} 个村年度到 {path}。")
