from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CatalogsConfig(AppConfig):
    name = "catalogs"
    verbose_name = _("标准目录")

    def ready(self) -> None:
        from .reference import ensure_reference_data_after_migrate

        # Regions, domains and role groups are reference data like permissions:
        # present after every migrate and after every test-database flush.
        # Connected to the last of the portal's apps so that the permissions of
        # both apps exist when the role groups are built.
        post_migrate.connect(
            ensure_reference_data_after_migrate,
            sender=self.apps.get_app_config("disclosures"),
            dispatch_uid="catalogs_reference_data",
        )
        # Production safety (system checks) and the database cache's table.
        from catalog_portal import checks  # noqa: F401
        from catalog_portal.scaleout import ensure_cache_tables

        post_migrate.connect(ensure_cache_tables, sender=self, dispatch_uid="portal_cache_tables")
