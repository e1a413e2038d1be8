"""The project as an app: what belongs to the deployment rather than to a domain.

Production-safety system checks, the database cache's table after every
migrate, and the backup/restore commands. Apps never import the project;
the project may import the apps.
"""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "catalog_portal"
    verbose_name = _("平台")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
        from .scaleout import ensure_cache_tables

        # post_migrate is sent per app with models; this app has none.
        post_migrate.connect(
            ensure_cache_tables,
            sender=self.apps.get_app_config("catalogs"),
            dispatch_uid="portal_cache_tables",
        )
