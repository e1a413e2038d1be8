from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosuresConfig(AppConfig):
    name = "disclosures"
    verbose_name = _("公开信息")

    def ready(self) -> None:
        from . import cache, signals  # noqa: F401  (cache: public page invalidation receivers)

        # Calendar edits recompute open obligations; a published catalog owes
        # the current period's postings of its periodic items.
        signals.connect()
