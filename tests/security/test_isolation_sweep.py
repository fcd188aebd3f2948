"""The tenant rule over every route (DESIGN §2), generated from the URL resolver.

Every page and API route whose pattern names an object (a request reference, an attachment,
a token, a notice, a webhook) is called by every role of a third nation and by a supplier the
request was never forwarded to: each answers 404 and says nothing of the object. A new route is
swept without editing this file; a route whose parameters the sweep cannot fill fails the test
until it is added to `OBJECT_VALUES` (or, for reference data, to `PUBLIC_ROUTES`).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import NoReverseMatch, Resolver404

from partners.accounts.tokens import issue_token
from partners.models import ApiToken
from requests_app import services
from requests_app.models import (
    Attachment,
    Comment,
    Notification,
    PriorityRequest,
    SavedView,
    Webhook,
)
from requests_app.services.events import notice_payload, queue
from requests_app.services.webhooks import register as register_webhook
from requests_app.transitions import TRANSITIONS
from tests.helpers import client_for, sign_in

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
TITLE = "Ring-laser gyroscopes for the Tejas Mk1A fleet"
JUSTIFICATION = "Seven aircraft grounded at Sulur without these spares."
CONTRACT = "W58RGZ-26-C-7731"
SHARED = "Shared: please confirm the NSN of the gimbal."
INTERNAL = "Internal: the supplier is on the watch list, keep this between officials."
FILE_NAME = "tejas-gimbal-drawing.pdf"
WEBHOOK_URL = "https://hooks.mod.example.in/sosa-events"
TOKEN_NAME = "MoD ERP connector"

# Routes named by their (namespaced) URL name whose parameters are not tenant data.
PUBLIC_ROUTES = {
    "api:nation-detail": "reference data: every signed-in user reads the nations",
    "api:supplier-detail": "reference data: every signed-in user reads the suppliers",
    "password_reset_confirm": "a signed one-time link from an e-mail, not an object id",
    "two_factor_invite": "a random one-time code an administrator gave, not an object id; "
    "someone else's is refused (tests/accounts/test_two_factor_invitations.py)",
    "arrangement_posture": "arrangements are read by every signed-in user; only staff and "
    "senior contacts may post here (tests/web/test_posture_pages.py)",
    "supplier_withdraw": "the registry is read by every signed-in user; only staff and the "
    "firm's own liaison officers may post here (tests/web/test_registry.py)",
}
# Parameters that pick a variant of a route, not an object: every value is swept.
VARIANTS: dict[str, list[str]] = {
    "format": ["json"],
    "action": [transition.url_name for transition in TRANSITIONS.values()],
}
# Enough to notice when the walk stops finding the router's or the pages' routes.
MIN_ROUTES = 28
OUTSIDERS = [
    "requester_gb",
    "liaison_gb",
    "reviewer_gb",
    "observer_gb",
    "supplier_gb",
    "other_supplier_us",  # supplier2.us: the right nation, but never forwarded the request
]
# What an outsider posts (a form to pages, JSON to the API): enough to pass any validation.
POST_DATA = {"body": "Mine now", "visibility": "shared", "reason": "x", "title": "Mine now"}


@dataclass(frozen=True)
class Targets:
    """The objects the sweep aims at (or, for the ghost, ids that name nothing)."""

    reference: str
    attachment_id: int
    token_id: int
    notice_id: int
    webhook_id: int
    view_id: int


GHOST = Targets(
    reference="IN-2099-99999",
    attachment_id=999_999_999,
    token_id=999_999_999,
    notice_id=999_999_999,
    webhook_id=999_999_999,
    view_id=999_999_999,
)


def webhook_pk(targets: Targets) -> int:
    return targets.webhook_id


# What each object parameter is, by name; `pk` depends on the viewset that declares it.
OBJECT_VALUES: dict[str, Callable[[Targets], object]] = {
    "reference": lambda targets: targets.reference,
    "attachment_id": lambda targets: targets.attachment_id,
    "token_id": lambda targets: targets.token_id,
    "notice_id": lambda targets: targets.notice_id,
    "view_id": lambda targets: targets.view_id,
}


def token_pk(targets: Targets) -> int:
    return targets.token_id


PK_BY_VIEWSET: dict[str, Callable[[Targets], object]] = {
    "WebhookViewSet": webhook_pk,
    "TokenViewSet": token_pk,
}


@dataclass(frozen=True)
class Route:
    route: str
    name: str
    params: tuple[str, ...]
    pattern: URLPattern

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    @property
    def viewset(self) -> str:
        cls = getattr(self.pattern.callback, "cls", None)
        return cls.__name__ if cls else ""


def walk(patterns, prefix: str = "", namespace: str = "", params=()) -> Iterator[Route]:
    for entry in patterns:
        found = (*params, *entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner, found)
        else:
            name = f"{namespace}{entry.name}" if entry.name else ""
            yield Route(prefix + str(entry.pattern), name, tuple(found), entry)


def object_routes() -> list[Route]:
    """Every non-admin route with a parameter other than a variant (format, action)."""
    return [
        route
        for route in walk(get_resolver().url_patterns)
        if not route.route.startswith("admin/") and set(route.params) - set(VARIANTS)
    ]


def value_source(route: Route, param: str) -> Callable[[Targets], object] | None:
    if param == "pk":
        return PK_BY_VIEWSET.get(route.viewset)
    return OBJECT_VALUES.get(param)


def build(route: Route, targets: Targets) -> list[str]:
    """The concrete URLs of a route for these targets; ValueError saying why when it cannot."""
    if not route.name:
        raise ValueError("the route has no name to reverse")
    choices = []
    for param in route.params:
        if param in VARIANTS:
            choices.append([(param, value) for value in VARIANTS[param]])
            continue
        source = value_source(route, param)
        if source is None:
            raise ValueError(f"no value for the parameter {param!r}")
        choices.append([(param, source(targets))])
    urls = []
    for kwargs in itertools.product(*choices):
        try:
            url = reverse(route.name, kwargs=dict(kwargs))
            match = resolve(url)
        except (NoReverseMatch, Resolver404) as error:
            raise ValueError(f"{type(error).__name__}: {error}") from None
        if match.func is not route.pattern.callback or set(match.kwargs) != set(route.params):
            raise ValueError(f"{url} resolves to another route ({match.route})")
        urls.append(url)
    return urls


def sweep_plan(targets: Targets) -> tuple[list[tuple[Route, str, str]], list[str]]:
    """(route, url, ghost url) for every swept URL, and the routes that could not be built."""
    plan, unbuilt = [], []
    for route in object_routes():
        if route.name in PUBLIC_ROUTES:
            continue
        try:
            urls, ghosts = build(route, targets), build(route, GHOST)
        except ValueError as why:
            unbuilt.append(f"{route.route} (name {route.name or '-'}): {why}")
            continue
        plan.extend((route, url, ghost) for url, ghost in zip(urls, ghosts, strict=True))
    return plan, unbuilt


def methods_for(route: Route) -> tuple[str, ...]:
    return ("get", "post", "patch", "delete") if route.is_api else ("get", "post")


def call(client, route: Route, method: str, url: str):
    if method == "get":
        return client.get(url)
    if route.is_api:
        return getattr(client, method)(url, POST_DATA, format="json")
    return getattr(client, method)(url, POST_DATA)


# --- the objects ------------------------------------------------------------------------------


@dataclass
class World:
    request: PriorityRequest
    targets: Targets
    canaries: tuple[str, ...]


@pytest.fixture
def world(people, make_request) -> World:
    """An India→US request with the supplier, with comments and a file; requester.in's token,
    notice and (through their agency) webhook."""
    request = make_request(
        "with_supplier", title=TITLE, justification=JUSTIFICATION, contract_number=CONTRACT
    )
    services.add_comment(request, by=people.requester_in, body=SHARED, visibility="shared")
    services.add_comment(request, by=people.liaison_us, body=INTERNAL, visibility="internal")
    attachment = services.add_attachment(
        request,
        by=people.requester_in,
        uploaded=SimpleUploadedFile(FILE_NAME, PDF, content_type="application/pdf"),
    )
    token, _ = issue_token(people.requester_in, name=TOKEN_NAME)
    request.refresh_from_db()
    queue(
        request=request,
        event=None,
        kind="due_soon",
        user_ids=[people.requester_in.pk],
        payload=notice_payload(request, kind="due_soon"),
    )
    notice = Notification.objects.get(recipient=people.requester_in, kind="due_soon")
    agency = people.requester_in.profile.agency
    webhook = register_webhook(
        agency=agency, url=WEBHOOK_URL, event_kinds=[], by=people.requester_in
    )
    targets = Targets(
        reference=request.reference,
        attachment_id=attachment.pk,
        token_id=token.pk,
        notice_id=notice.pk,
        webhook_id=webhook.pk,
        view_id=SavedView.objects.create(owner=people.requester_in, name=TOKEN_NAME).pk,
    )
    canaries = (
        request.reference,
        TITLE,
        JUSTIFICATION,
        CONTRACT,
        SHARED,
        INTERNAL,
        FILE_NAME,
        people.company_us.name,
        WEBHOOK_URL,
        TOKEN_NAME,
        agency.name,
    )
    return World(request=request, targets=targets, canaries=canaries)


def clients_for(user) -> dict[bool, object]:
    """{is_api: client}: a token client for the API, a second-factor session for the pages."""
    pages = Client()
    sign_in(pages, user)
    return {True: client_for(user), False: pages}


def snapshot(world: World) -> tuple:
    row = PriorityRequest.objects.get(pk=world.request.pk)
    return (
        row.version,
        row.state,
        row.title,
        Comment.objects.filter(request=row).count(),
        Attachment.objects.filter(request=row).count(),
        ApiToken.objects.filter(pk=world.targets.token_id, revoked_at__isnull=True).exists(),
        Notification.objects.filter(pk=world.targets.notice_id, read_at__isnull=True).exists(),
        Webhook.objects.filter(pk=world.targets.webhook_id, is_active=True).exists(),
        SavedView.objects.filter(pk=world.targets.view_id).exists(),
    )


# --- the tests --------------------------------------------------------------------------------


def test_the_sweep_builds_a_url_for_every_route_that_names_an_object():
    plan, unbuilt = sweep_plan(GHOST)
    routes = {route.route for route, _, _ in plan}
    names = {route.name for route in object_routes()}

    assert not unbuilt, (
        "The isolation sweep cannot build a URL for these routes; say in OBJECT_VALUES (or "
        "PK_BY_VIEWSET) which object each parameter names, or in PUBLIC_ROUTES why it is not "
        "tenant data:\n  " + "\n  ".join(unbuilt)
    )
    assert len(routes) >= MIN_ROUTES, f"only {len(routes)} routes found: {sorted(routes)}"
    assert not set(PUBLIC_ROUTES) - names, "PUBLIC_ROUTES names a route that no longer exists"
    assert not any(route.startswith("admin/") for route in routes)


def test_every_swept_url_reaches_the_object_for_its_owner(people, world):
    """The control: requester.in, who owns them all, is never told they do not exist."""
    clients = clients_for(people.requester_in)
    plan, _ = sweep_plan(world.targets)

    missing = [
        url
        for route, url, _ in plan
        if call(clients[route.is_api], route, "get", url).status_code == 404
    ]

    assert not missing, missing


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_an_outsider_gets_a_bare_404_on_every_route_that_names_the_object(people, world, outsider):
    clients = clients_for(getattr(people, outsider))
    plan, unbuilt = sweep_plan(world.targets)
    before = snapshot(world)
    failures = []

    for route, url, ghost in plan:
        client = clients[route.is_api]
        for method in methods_for(route):
            response = call(client, route, method, url)
            body = response.content.decode(errors="replace")
            leaked = [canary for canary in world.canaries if canary in body]
            status = response.status_code
            if status == 405:
                # Refused by method before any lookup: it must say the same of nothing at all.
                if call(client, route, method, ghost).status_code != 405:
                    failures.append(f"{method.upper()} {url}: 405, but not for a missing object")
            elif status != 404:
                failures.append(f"{method.upper()} {url}: {status}, not 404")
            if leaked:
                failures.append(f"{method.upper()} {url}: the body names {leaked}")

    assert not unbuilt
    assert not failures, f"{outsider}:\n  " + "\n  ".join(failures)
    assert snapshot(world) == before
