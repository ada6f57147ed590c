from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ledger.annual_report import ReportError, statement_report
from ledger.annual_report_files import Signature, report_csv, report_xlsx
from villages.models import Village
from villages.selectors import CountyNotFound, TownNotFound, county_by_code_or_name, town_by_code_or_name

# Exit codes scripts can rely on: 0 written; 1 refused (bad arguments, unknown unit, file not writable);
# 3 with --complete: villages are missing from the sum, nothing written.
INCOMPLETE = 3


class Command(BaseCommand):
    help = ("导出某乡镇或某县（市、区）某年度的村集体经济组织收益分配统计表（由已审核的村账汇总）："
            ".xlsx 为统计表原式样（A4），.csv 为“代码,指标名称,单位,数值”（金额单位元、保留两位小数，村数单位个）。"
            "退出码：0 已导出；1 参数或数据有误；3 使用 --complete 且有村未汇入。")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="年度，如 2021")
        parser.add_argument("--town", help="乡镇区划代码或名称（如 321182103 或 八桥镇）")
        parser.add_argument("--county", help="县（市、区）区划代码或名称（如 321182 或 扬中市）")
        parser.add_argument("--output", required=True, help="输出文件路径（.xlsx 或 .csv）")
        parser.add_argument("--head", default="", help="单位负责人（写入 xlsx 表尾）")
        parser.add_argument("--preparer", default="", help="填表人（写入 xlsx 表尾）")
        parser.add_argument("--date", dest="reported_on_text", help="报出日期 YYYY-MM-DD（写入 xlsx 表尾，默认今天）")
        parser.add_argument("--complete", action="store_true",
                            help="有村的账目未审核（未汇入本表）时不导出，以退出码 3 结束")

    def handle(self, *args, year, output, town=None, county=None, head="", preparer="",
               reported_on_text=None, complete=False, **options):
        path = Path(output)
        suffix = path.suffix.lower()
        if suffix not in (".xlsx", ".csv"):
            raise CommandError("输出文件的扩展名应为 .xlsx 或 .csv。")
        if bool(town) == bool(county):
            raise CommandError("请用 --town 指定乡镇，或用 --county 指定县（市、区），二者选一。")
        reported_on = _date(reported_on_text)
        try:
            if town:
                unit = town_by_code_or_name(town)
                villages, unit_name = Village.objects.filter(town=unit), f"{unit.county.name}{unit.name}"
            else:
                unit = county_by_code_or_name(county)
                villages, unit_name = Village.objects.filter(town__county=unit), unit.name
        except (TownNotFound, CountyNotFound) as exc:
            raise CommandError(f"{exc}。") from exc
        try:
            report = statement_report(villages=villages, year=year)
        except ReportError as exc:
            raise CommandError(str(exc)) from exc
        if report.missing:
            self.stderr.write(f"注意：{unit_name} {year} 年有 {len(report.missing)} 个村未汇入本表（"
                              + "，".join(f"{label} {n} 个" for label, n in report.missing_by_status) + "）。")
            if complete:
                raise CommandError("有村未汇入，按 --complete 未导出。", returncode=INCOMPLETE)
        if not report.balanced:
            self.stderr.write("注意：平衡关系不符：" + "；".join(c.text for c in report.checks if not c.ok))
        signature = Signature(unit=unit_name, head=head, preparer=preparer, reported_on=reported_on)
        data = report_csv(report) if suffix == ".csv" else report_xlsx(report, signature)
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"无法写入 {path}：{exc.strerror or exc}") from exc
        self.stdout.write(f"已导出 {unit_name} {year} 年收益分配统计表到 {path}：汇入 {report.villages_reported} 个村，"
                          f"共 {report.villages_in_scope} 个村。")


def _date(text: str | None) -> date:
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"报出日期“{text}”不是 YYYY-MM-DD 格式的日期。") from None
