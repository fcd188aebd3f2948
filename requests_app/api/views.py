"""REST API v1 (DESIGN §7). Thin: parse with a serializer, call one service, render."""

from __future__ import annotations

from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from sosa_portal.lib.files import download

from .. import services
from ..exceptions import StaleVersion
from ..models import Attachment, PriorityRequest
from ..permissions import check_may_take
from ..queries import representation as selectors
from ..queries import timeline
from ..queries.links import visible_links
from ..queries.lists import RequestFilter
from ..transitions import TRANSITIONS
from . import examples, history_pages
from .action_bodies import ACTION_SERIALIZERS
from .idempotency import idempotent
from .links import LinkSerializer, link_data
from .openapi import ERRORS, READ_ERRORS, errors
from .pagination import KeysetCursorPagination
from .preconditions import expected_version, location_of, precondition_failed, with_etag
from .serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    CommentSerializer,
    DraftSerializer,
    EventSerializer,
    RequestSerializer,
)

FILTER_NAMES = frozenset(RequestFilter.base_filters)


class RequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RequestSerializer
    lookup_field = "reference"
    lookup_value_regex = "[A-Za-z0-9-]{1,20}"
    pagination_class = KeysetCursorPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = RequestFilter

    def get_queryset(self):
        # The row only: actions and comments hand it to a service, which locks and re-reads
        # it; representations come from the selector.
        return PriorityRequest.objects.visible_to(self.request.user)

    def fresh(self, request_row: PriorityRequest) -> dict:
        """The representation of a request after a service changed it."""
        # Not filtered by visibility: the service checked it, and a supplier that has just
        # rejected (and so no longer sees the request) still gets the result of its action.
        return selectors.requests_for_api(
            PriorityRequest.objects.filter(pk=request_row.pk), user=self.request.user
        )[0]

    def filter_queryset(self, queryset):
        # Without a filter in the query string, django-filter would still build and validate
        # an empty form: ~1 ms of a page that takes ~6.
        if FILTER_NAMES.isdisjoint(self.request.query_params):
            return queryset
        return super().filter_queryset(queryset)

    # Reads are built by the selector from plain rows (RequestSerializer documents the shape).
    def visible_requests(self):
        return self.filter_queryset(PriorityRequest.objects.visible_to(self.request.user))

    @extend_schema(
        parameters=examples.LIST_PARAMETERS,
        responses={200: RequestSerializer(many=True), **READ_ERRORS},
        summary="The requests the caller may see, a page at a time",
    )
    def list(self, request, *args, **kwargs):
        rows = self.paginator.paginate_queryset(
            selectors.request_rows(self.visible_requests()), request, view=self
        )
        page = selectors.represent_requests(rows, user=request.user)
        return self.paginator.get_paginated_response(page)

    @extend_schema(
        responses={200: RequestSerializer, **READ_ERRORS},
        examples=[examples.REQUEST],
        summary="One request, with its `ETag`",
    )
    def retrieve(self, request, reference=None):
        found = selectors.requests_for_api(
            self.visible_requests().filter(reference=reference), user=request.user
        )
        if not found:
            raise Http404
        return with_etag(found[0])

    @extend_schema(
        request=DraftSerializer,
        responses={201: RequestSerializer, **errors(400, 401, 403, 409, 422, 429)},
        examples=[examples.DRAFT, examples.ERROR],
        summary="File a draft request (requesters)",
    )
    @idempotent
    def create(self, request):
        body = DraftSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        fields.pop("version", None)
        items = fields.pop("items", [])
        created = services.create_request(by=request.user, items=items, **fields)
        return with_etag(
            self.fresh(created), status.HTTP_201_CREATED, Location=location_of(created.reference)
        )

    @extend_schema(
        request=DraftSerializer(partial=True),
        responses={200: RequestSerializer, **errors(400, 401, 403, 404, 409, 412, 429)},
        summary="Change a draft (requesters); `items`, when given, replaces them all",
    )
    def partial_update(self, request, reference=None):
        draft = self.get_object()
        body = DraftSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        expected = expected_version(request)
        if expected is not None and expected != draft.version:
            return precondition_failed(expected, draft.version)
        version = fields.pop("version", None) or expected
        items = fields.pop("items", None)
        try:
            updated = services.update_draft(
                draft, by=request.user, version=version, items=items, **fields
            )
        except StaleVersion:
            if expected is None:
                raise
            return precondition_failed(expected, PriorityRequest.objects.get(pk=draft.pk).version)
        return with_etag(self.fresh(updated))

    # --- comments, attachments, events ---

    def visible_comments(self, request_row):
        return timeline.readable_comments(request_row, self.request.user).select_related("author")

    @extend_schema(
        methods=["GET"],
        parameters=history_pages.PARAMETERS,
        responses={200: CommentSerializer(many=True), **READ_ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        request=CommentSerializer,
        responses={201: CommentSerializer, **errors(400, 401, 403, 404, 422, 429)},
        examples=[examples.COMMENT],
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def comments(self, request, reference=None):
        request_row = self.get_object()
        if request.method == "GET":
            comments, headers = history_pages.page_of(request, self.visible_comments(request_row))
            return Response(CommentSerializer(comments, many=True).data, headers=headers)
        return self._add_comment(request, request_row)

    @idempotent
    def _add_comment(self, request, request_row):
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        comment = services.add_comment(
            request_row,
            by=request.user,
            body=body.validated_data["body"],
            visibility=body.validated_data["visibility"],
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: AttachmentSerializer(many=True), **READ_ERRORS})
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, **errors(400, 401, 403, 404, 422, 429)},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser, FormParser],
        pagination_class=None,
        filter_backends=[],
    )
    def attachments(self, request, reference=None):
        request_row = self.get_object()
        if request.method == "GET":
            rows = Attachment.objects.filter(request=request_row).select_related(
                "uploaded_by", "request"
            )
            return Response(AttachmentSerializer(rows, many=True).data)
        return self._add_attachment(request, request_row)

    @idempotent
    def _add_attachment(self, request, request_row):
        body = AttachmentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attachment = services.add_attachment(
            request_row, by=request.user, uploaded=body.validated_data["file"]
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        responses={**examples.DOWNLOAD, **READ_ERRORS},
        summary="Download an attachment",
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_id>[0-9]{1,18})",
        pagination_class=None,
        filter_backends=[],
    )
    def download(self, request, reference=None, attachment_id=None):
        request_row = self.get_object()
        attachment = Attachment.objects.filter(request=request_row, pk=attachment_id).first()
        if attachment is None:
            return Response({"errors": {"detail": ["Not found."]}}, status=404)
        return download(attachment.file, name=attachment.name, content_type=attachment.content_type)

    @extend_schema(methods=["GET"], responses={200: LinkSerializer(many=True), **READ_ERRORS})
    @extend_schema(
        methods=["POST"],
        request=LinkSerializer,
        responses={201: LinkSerializer, **errors(400, 401, 403, 404, 422, 429)},
        description="Link this request to another the caller sees: `related` or "
        "`duplicate_of` (liaison officers). A follow-on's `split_from` link is made by split.",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def links(self, request, reference=None):
        request_row = self.get_object()
        if request.method == "GET":
            shown = visible_links(request_row, request.user)
            return Response([link_data(link) for link in shown])
        return self._add_link(request, request_row)

    @idempotent
    def _add_link(self, request, request_row):
        body = LinkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.link_requests(
            request_row,
            by=request.user,
            other_reference=body.validated_data["reference"],
            kind=body.validated_data["kind"],
        )
        added = visible_links(request_row, request.user)[-1]
        return Response(link_data(added), status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=history_pages.PARAMETERS,
        responses={200: EventSerializer(many=True), **READ_ERRORS},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request, reference=None):
        request_row = self.get_object()
        readable = timeline.readable_events(request_row, request.user).select_related("actor")
        events, headers = history_pages.page_of(request, readable)
        events = timeline.mask_unseen_references(events, request.user)
        return Response(EventSerializer(events, many=True).data, headers=headers)


def _action_handler(name: str):
    transition = TRANSITIONS[name]
    body_class = ACTION_SERIALIZERS[name]

    def handler(self, request, reference=None):
        request_row = self.get_object()
        check_may_take(request.user, request_row, transition)
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        kwargs = body.service_kwargs()
        expected = expected_version(request)
        if expected is not None:
            if expected != request_row.version:
                return precondition_failed(expected, request_row.version)
            kwargs.setdefault("version", expected)
        try:
            updated = services.ACTIONS[name](request_row, by=request.user, **kwargs)
        except StaleVersion:  # another official acted between our read and the lock
            if expected is None:
                raise
            current = PriorityRequest.objects.get(pk=request_row.pk).version
            return precondition_failed(expected, current)
        if updated.pk != request_row.pk:  # split: the follow-on request it opened
            return with_etag(
                self.fresh(updated),
                status.HTTP_201_CREATED,
                Location=location_of(updated.reference),
            )
        return with_etag(self.fresh(updated))

    # The router maps POST to the method by its __name__: name it before decorating.
    handler.__name__ = handler.__qualname__ = name
    handler = idempotent(handler)
    handler = action(
        detail=True,
        methods=["post"],
        url_path=transition.url_name,
        url_name=transition.url_name,
        serializer_class=body_class,
        pagination_class=None,
        filter_backends=[],
    )(handler)
    return extend_schema(
        request=body_class,
        responses={
            (201 if name == "split" else 200): RequestSerializer,
            **errors(400, 401, 403, 404, 409, 412, 422, 429),
        },
        examples=examples.ACTION_EXAMPLES.get(name, []),
        summary=f"{name.replace('_', ' ').capitalize()} "
        f"({', '.join(sorted(transition.roles))}; from {', '.join(sorted(transition.sources))})",
    )(handler)


for _name in TRANSITIONS:
    setattr(RequestViewSet, _name, _action_handler(_name))


class NotFoundView(APIView):
    """Any other path under /api/v1/ (a malformed reference, say): a JSON 404 after
    authentication, as everywhere in the API, never Django's HTML page."""

    schema = None  # not an operation of the OpenAPI document

    def not_found(self, request, *args, **kwargs):
        raise exceptions.NotFound()

    get = post = put = patch = delete = options = not_found


__all__ = ["ERRORS", "JSONParser", "NotFoundView", "RequestViewSet", "errors"]
