from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from ledger.roles import ROLE_PERMISSIONS, grant_role_permissions, group_name, sync_role_groups


class Command(BaseCommand):
    help = ("建立或更新每个角色的权限组，并让每个已分配角色的用户获得其角色的管理后台权限（is_staff 与权限组）。"
            " Create/refresh one permission group per role and give every user with a role the admin access of it.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只列出将要处理的用户，不写入。")

    def handle(self, *args, dry_run: bool = False, **options):
        users = list(get_user_model().objects.filter(role__isnull=False).select_related("role"))
        for user in users:
            self.stdout.write(f"{user.username}: {group_name(user.role.role)}")
        if dry_run:
            self.stdout.write(f"（试运行）将处理 {len(users)} 个用户、{len(ROLE_PERMISSIONS)} 个权限组，未写入。")
            return
        with transaction.atomic():
            groups = sync_role_groups()
            for user in users:
                grant_role_permissions(user, groups=groups)
        self.stdout.write(self.style.SUCCESS(f"已处理 {len(users)} 个用户、{len(ROLE_PERMISSIONS)} 个权限组。"))
