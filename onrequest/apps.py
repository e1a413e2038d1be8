from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnRequestConfig(AppConfig):
    name = "onrequest"
    label = "onrequest"
    verbose_name = _("依申请公开")

    def ready(self) -> None:
        from .permissions import register_grants

        # The onrequest permissions each role's group carries (catalogs builds the groups).
        register_grants()
