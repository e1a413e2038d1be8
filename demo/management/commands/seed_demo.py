"""`manage.py seed_demo [--scale demo|province|national]` — idempotent demo data."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from demo import steps


class Command(BaseCommand):
    help = "创建演示数据：演示账号、省级模板目录、洛阳市目录及各县乡公开信息（可重复执行）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=["demo", "province", "national"],
            default="demo",
            help="数据规模：demo（默认，小而快）、province（全省）、national（全国合成数据）",
        )

    def handle(self, *args, scale: str, **options):
        translation.activate(settings.LANGUAGE_CODE)
        try:
            steps.seed(scale=scale, stdout=self.stdout)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
        self.stdout.write(
            "演示账号（密码见 README）：demo-province、demo-city、demo-county、demo-county2、demo-township"
        )
