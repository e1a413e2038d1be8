"""The demo package is a Django app only so that `seed_demo` is found; it has no models."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = "演示数据"
