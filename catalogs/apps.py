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
        # Connected to the last installed app that has models (post_migrate is
        # sent once per such app, in order), so that the permissions of every
        # app exist when the role groups are built; catalogs does not name the
        # apps that register grants (`permissions.register_role_permissions`).
        last_app = [
            c for c in self.apps.get_app_configs() if c.models_module is not None
        ][-1]
        post_migrate.connect(
            ensure_reference_data_after_migrate,
            sender=last_app,
            dispatch_uid="catalogs_reference_data",
        )
        self._connect_security_receivers()

    def _connect_security_receivers(self) -> None:
        """Logins, failures, logouts and django-axes lockouts go to the audit log."""
        from axes.signals import user_locked_out

        from django.contrib.auth import signals as auth_signals

        from . import security

        for signal, receiver in (
            (auth_signals.user_logged_in, security.on_user_logged_in),
            (auth_signals.user_login_failed, security.on_user_login_failed),
            (auth_signals.user_logged_out, security.on_user_logged_out),
            (user_locked_out, security.on_user_locked_out),
        ):
            signal.connect(
                receiver, dispatch_uid=f"catalogs.security.{receiver.__name__}"
            )
