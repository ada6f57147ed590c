import time

from django.core.management.base import BaseCommand, CommandError

from dashboards.synthetic import generate_synthetic


class Command(BaseCommand):
    help = (
        "生成确定性的合成数据（县、镇、村、多年台账，全部经台账服务写入），用于演示和性能测试。"
        "同样的参数和种子总是得到同样的数据；再次运行只补齐缺少的村年度账。"
        " Build a deterministic synthetic province (counties, towns, villages, yearly ledgers)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--counties", type=int, required=True, help="县的数量")
        parser.add_argument("--towns-per-county", type=float, required=True,
                            help="每县平均镇数（可为小数，如 12.5，镇数在各县间均匀分配）")
        parser.add_argument("--villages-per-town", type=float, required=True, help="每镇平均村数")
        parser.add_argument("--years", type=int, required=True, help="年数（截至 2025 年）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")

    def handle(self, *args, **options):
        if options["counties"] < 1 or options["towns_per_county"] <= 0 or options["villages_per_town"] <= 0:
            raise CommandError("县、镇、村的数量都必须大于 0。")
        if not 1 <= options["years"] <= 26:
            raise CommandError("年数须在 1–26 之间。")
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  {done}/{total} 村  {time.monotonic() - started:.0f}s")

        try:
            result = generate_synthetic(
                counties=options["counties"], towns_per_county=options["towns_per_county"],
                villages_per_town=options["villages_per_town"], years=options["years"], seed=options["seed"],
                progress=progress if options["verbosity"] > 1 else None,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"合成数据：{result.counties} 县，{result.towns} 镇，{result.villages} 村；"
            f"新建村年度账 {result.ledger_years_created} 条，用时 {time.monotonic() - started:.1f} 秒。"
        ))
