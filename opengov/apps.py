from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpengovConfig(AppConfig):
    name = "opengov"
    verbose_name = _("政府信息公开专栏")

    def ready(self) -> None:
        from .permissions import register_grants

        # The opengov permissions each role's group carries (catalogs builds the groups).
        register_grants()
