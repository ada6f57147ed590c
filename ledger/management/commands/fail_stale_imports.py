"""Mark 导入失败 the import batches whose process died (worker killed, server restarted mid-check)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from ledger.importing import services as imports


class Command(BaseCommand):
    help = ("把中断的导入批次（待检查或导入中，且超过 IMPORT_STALE_MINUTES 分钟没有进展）标记为导入失败，"
            "以便重新导入；--worker-start 在（唯一的）导入进程启动时使用：它上次运行中的批次一律标记为失败。"
            " Marks import batches whose worker died as failed, so that they can be rerun.")

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=int, default=None,
                            help=f"多久没有进展算中断（默认 IMPORT_STALE_MINUTES = {settings.IMPORT_STALE_MINUTES}）")
        parser.add_argument("--worker-start", action="store_true",
                            help="导入进程刚启动：它以前在运行的后台批次都已中断")

    def handle(self, *args, minutes=None, worker_start=False, **options):
        failed = imports.import_batches_fail_stale(minutes=minutes, worker_restarted=worker_start)
        for pk in failed:
            self.stdout.write(f"批次 {pk}：导入失败（进程中断），可重新导入。")
        self.stdout.write(f"{len(failed)} 个中断的批次已标记为导入失败。")
