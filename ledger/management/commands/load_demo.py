from django.apps import apps
from django.core.management.base import BaseCommand

from ledger.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "载入演示数据（扬中市八桥镇、沁阳市及2019–2024年已审核台账、各角色演示用户）。可重复运行，已有数据不变。"

    def handle(self, *args, **options):
        summary = load_demo()
        # Apps built on the ledger add their own demo data (财务公开 on for 扬中市) without the ledger
        # knowing them: an app config with a `load_demo` method.
        for config in apps.get_app_configs():
            if callable(getattr(config, "load_demo", None)):
                config.load_demo()
        self.stdout.write(self.style.SUCCESS(
            f"演示数据：新增 县 {summary.counties}、乡镇 {summary.towns}、村 {summary.villages}、"
            f"村年度账 {summary.ledger_years_created}、用户 {summary.users_created}。"
        ))
        if summary.users_created:
            self.stdout.write(f"演示用户密码均为 {DEMO_PASSWORD}（仅限演示环境）。")
