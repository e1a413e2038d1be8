from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpengovConfig(AppConfig):
    name = "opengov"
    verbose_name = _("政府信息公开专栏")

    def ready(self) -> None:
        from disclosures.public.notice import register_supervision_phone

        from .permissions import register_grants
        from .selectors import guide_phones

        # The opengov permissions each role's group carries (catalogs builds the groups).
        register_grants()
        # The guide's phone is the supervision phone (监督电话) of printed notices.
        register_supervision_phone(guide_phones)
