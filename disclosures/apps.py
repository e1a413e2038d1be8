from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosuresConfig(AppConfig):
    name = "disclosures"
    verbose_name = _("公开信息")

    def ready(self) -> None:
        from . import signals  # noqa: F401
        from .permissions import register_grants
        from .public import cache  # noqa: F401  (public page invalidation receivers)

        # The disclosures permissions each role's group carries (catalogs builds the groups).
        register_grants()

        # Calendar edits recompute open obligations; a published catalog owes
        # the current period's postings of its periodic items.
        signals.connect()
