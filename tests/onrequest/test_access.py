"""The access-matrix rows of the on-request URLs, walked on their own (the full walk
is `tests/test_access_matrix.py::test_every_named_url`)."""

from __future__ import annotations

import pytest

from django.urls import reverse

from tests.test_access_matrix import (  # noqa: F401  (fixtures)
    ALL_ROLES,
    _onrequest_table,
    everything,
    superuser,
    world,
)

pytestmark = pytest.mark.django_db


def test_onrequest_rows(everything, client):  # noqa: F811
    table = _onrequest_table(everything)
    problems = []
    for index, role in enumerate(ALL_ROLES):
        user = everything["users"].get(role)
        client.logout()
        if user is not None:
            client.force_login(user)
        for name, (params, expected) in sorted(table.items()):
            url = reverse(name, kwargs=params)
            status = client.get(url).status_code
            if status != expected[index]:
                problems.append(f"{role}: {name}: {status}, expected {expected[index]}")
    assert problems == [], "\n".join(problems)
