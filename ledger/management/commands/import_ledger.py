from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ledger.importing.planner import SKIPPED
from ledger.importing.services import import_ledger_file
from villages.selectors import TownNotFound, town_by_code_or_name


class Command(BaseCommand):
    help = ("导入台账文件（xlsx/xls/ods/csv，宽表或长表）：文件中的每个村年度整体替换为文件内容。"
            "有任何问题时列出全部问题、不写入任何数据并以非零状态退出。")

    def add_arguments(self, parser):
        parser.add_argument("path", help="台账文件路径")
        parser.add_argument("--town", help="乡镇区划代码或名称（文件中未注明时使用，并限定只导入该乡镇的村）")
        parser.add_argument("--year", type=int, help="年度（文件中未注明时使用）")
        parser.add_argument("--dry-run", action="store_true", help="只检查并列出将新建/修改/不变的村年度，不写入")
        parser.add_argument("--submit", action="store_true",
                            help="导入后将写入的村年度提交审核（默认保存为草稿）")
        parser.add_argument("--skip-refused", action="store_true",
                            help="跳过已审核或审核中（不能修改）的村年度，导入其余；跳过的逐个列出")

    def handle(self, *args, path, town=None, year=None, dry_run=False, submit=False, skip_refused=False,
               **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            town_obj = town_by_code_or_name(town) if town else None
        except TownNotFound as exc:
            raise CommandError(f"{exc}。") from exc
        check, batch = import_ledger_file(data=file.read_bytes(), filename=file.name, town=town_obj, year=year,
                                          dry_run=dry_run, submit=submit, skip_refused=skip_refused)
        for note in check.notes:
            self.stdout.write(note)
        if check.problems:
            for problem in check.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"发现 {len(check.problems)} 个问题，未写入任何数据。")
        plan = check.plan
        totals = plan.totals
        for row in plan.rows:
            if row["action"] == SKIPPED:
                where = f"（{row['sheet']} 第 {row['row']} 行）" if row.get("row") else ""
                self.stdout.write(f"跳过：{row['town']}{row['village']} {row['year']} 年的账{row['refused']}{where}")
        verb = "将" if dry_run else "已"
        self.stdout.write(
            f"{'检查通过（未写入）' if dry_run else '导入完成'}：{verb}新建 {plan.count('created')} 个村年度，"
            f"修改 {plan.count('changed')} 个，不变 {plan.count('unchanged')} 个，跳过 {plan.count(SKIPPED)} 个；明细新增 {totals['lines_created']} 条，"
            f"修改 {totals['lines_changed']} 条，删除 {totals['lines_deleted']} 条。"
        )
        if not plan.count("created") and not plan.count("changed"):
            self.stdout.write("文件与现有数据完全一致，没有任何改变。")
        if batch is not None:
            self.stdout.write(f"导入批次 #{batch.pk}。")
