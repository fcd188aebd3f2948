"""Factories for tests: nations, people in roles, and requests driven through the services."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from partners.models import Agency, Nation, Profile, Supplier
from requests_app import services
from requests_app.models import PriorityRequest, State
from tests.helpers import PASSWORD

User = get_user_model()


class NationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Nation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"Z{chr(65 + n % 26)}")
    name = factory.LazyAttribute(lambda o: f"Nation {o.code}")
    time_zone = "UTC"
    holiday_calendar = ""


def us() -> Nation:
    return NationFactory(
        code="US",
        name="United States",
        time_zone="America/New_York",
        holiday_calendar="US",
        priority_system="dpas",
    )


def india() -> Nation:
    return NationFactory(
        code="IN",
        name="India",
        time_zone="Asia/Kolkata",
        holiday_calendar="IN",
        holiday_subdivision="DL",
    )


def uk() -> Nation:
    return NationFactory(
        code="GB",
        name="United Kingdom",
        time_zone="Europe/London",
        holiday_calendar="GB",
        holiday_subdivision="ENG",
    )


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("nation", "name")

    nation = factory.LazyFunction(india)
    name = factory.Sequence(lambda n: f"Agency {n}")


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier
        django_get_or_create = ("cage_code",)

    nation = factory.LazyFunction(us)
    name = factory.Sequence(lambda n: f"Supplier {n}")
    cage_code = factory.Sequence(lambda n: f"{n:05d}")
    code_of_conduct_signed_on = dt.date(2024, 9, 1)


def make_user(
    username: str,
    role: str,
    nation: Nation,
    *,
    agency: Agency | None = None,
    supplier: Supplier | None = None,
    serves: tuple[Nation, ...] = (),
    senior: bool = False,
):
    user = User.objects.create_user(username, f"{username}@example.org", PASSWORD)
    # get_or_create: transactional tests flush the groups the migration made.
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    profile = Profile.objects.create(
        user=user, nation=nation, agency=agency, supplier=supplier, is_senior_contact=senior
    )
    profile.served_nations.set(serves)
    return user


def item(**overrides) -> dict:
    return {
        "description": "Gyroscope assembly",
        "part_number": "GY-200",
        "quantity": 4,
        "unit": "each",
        **overrides,
    }


def draft(by, responding_nation: Nation, **overrides) -> PriorityRequest:
    fields = {
        "title": "Gyroscopes for the Tejas fleet",
        "responding_nation": responding_nation,
        "justification": "Fleet grounding risk without spares.",
        # A year ahead of the real date: submit needs a future date whenever the suite runs.
        "required_delivery_date": dt.date.today() + dt.timedelta(days=365),
        "contract_number": "W58RGZ-26-C-0042",
        **overrides,
    }
    items = fields.pop("items", [item()])
    return services.create_request(by=by, items=items, **fields)


def is_state(request: PriorityRequest, state: str) -> bool:
    request.refresh_from_db()
    return request.state == state


__all__ = ["State"]
