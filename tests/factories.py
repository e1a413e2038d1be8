"""factory_boy factories for tests (STYLE §9)."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from catalogs.models import Region, User
from catalogs.permissions import ROLE_GROUP_NAMES


class UserFactory(factory.django.DjangoModelFactory):
    """A staff user of a region with a role; pass `role` and `region_code`."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        region_code = "410311"

    username = factory.Sequence(lambda n: f"user{n}")
    role = User.Role.COUNTY_CLERK
    region = factory.LazyAttribute(lambda o: Region.objects.get(code=o.region_code))
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "pw-Testing-2026")

    @factory.post_generation
    def role_group(obj, create, extracted, **kwargs):
        if create and obj.role:
            obj.groups.set([Group.objects.get(name=ROLE_GROUP_NAMES[obj.role])])
        if create:
            obj.save()
