"""factory_boy factories for tests (STYLE §9)."""

from __future__ import annotations

import factory

from catalogs.accounts import user_sync_role_access
from catalogs.models import Region, User


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
    password = factory.PostGenerationMethodCall("set_password", "pw-Testing-2026")

    @factory.post_generation
    def role_group(obj, create, extracted, **kwargs):
        # The role's group and is_staff, derived where the portal derives them.
        if create:
            obj.save()
            user_sync_role_access(user=obj)
