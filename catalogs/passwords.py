"""Django's password validators with messages in the portal's Chinese.

Django 5.2's minimum-length message has no zh_Hans translation (its msgid changed
from ``%(min_length)d`` to ``%d``), so it showed in English; the other messages
translate, but say 你 and do not say how to fix the password. Each subclass keeps
Django's check and replaces only the texts. Configured in AUTH_PASSWORD_VALIDATORS.
"""

from __future__ import annotations

from django.contrib.auth import password_validation as django_validation
from django.utils.translation import gettext as _


class MinimumLengthValidator(django_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        # ValidationError fills %(min_length)d from its params.
        return _("密码太短：至少需要 %(min_length)d 个字符，请加长后再试。")

    def get_help_text(self) -> str:
        return _("密码至少 %(min_length)d 个字符。") % {"min_length": self.min_length}


class UserAttributeSimilarityValidator(
    django_validation.UserAttributeSimilarityValidator
):
    def get_error_message(self) -> str:
        return _("密码与您的%(verbose_name)s太相似，请换一个与账号信息无关的密码。")

    def get_help_text(self) -> str:
        return _("密码不能与您的用户名、姓名或电子邮箱相似。")


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return _("这个密码太常见，容易被猜中，请换一个不常见的密码。")

    def get_help_text(self) -> str:
        return _("密码不能是常见密码。")


class NumericPasswordValidator(django_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return _("密码不能全是数字，请加入字母或符号。")

    def get_help_text(self) -> str:
        return _("密码不能全是数字。")
