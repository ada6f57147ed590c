from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    """财务公开: approved statements posted for villagers, without login, where the county turned it on."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "disclosure"
    verbose_name = "财务公开"

    def load_demo(self) -> None:
        """Called by `load_demo` after the ledger's demo world exists: disclosure on for 扬中市."""
        from .demo import load_demo

        load_demo()
