"""Abuse limits (issue 6, item 5): oversized bodies are refused, every free-text field is bounded.

Login lock-out and API throttling (the rest of item 5) are tested in tests/partners and
tests/api/test_throttling.py.
"""

import inspect
import json

import pytest
from django import forms
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from rest_framework import serializers

import partners.accounts.forms
import requests_app.web.action_forms
import requests_app.web.forms
import requests_app.web.item_forms
import requests_app.web.reports
from requests_app.api import action_bodies
from requests_app.api import serializers as api_serializers
from requests_app.models import Attachment, Comment, PriorityRequest
from tests.api.conftest import url
from tests.helpers import client_for

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
THREE_MB = 3 * 1024 * 1024


# --- every free-text field has a length limit -------------------------------------------------


def model_text_fields():
    for app_label in ("partners", "requests_app"):
        for model in apps.get_app_config(app_label).get_models():
            for field in model._meta.get_fields():
                if isinstance(field, models.CharField | models.TextField):
                    yield f"{model.__name__}.{field.name}", field


def test_every_text_column_of_the_portal_has_a_max_length():
    fields = dict(model_text_fields())
    assert "PriorityRequest.justification" in fields  # the walk sees the models

    # Not typed by anyone: the search words (services/search.py) are derived from bounded fields.
    unbounded = [name for name, field in fields.items() if not field.max_length and field.editable]

    assert unbounded == []


def input_serializers():
    """The serializers that read request bodies: drafts, items, actions, comments, uploads."""
    found = [
        api_serializers.DraftSerializer,
        api_serializers.ItemSerializer,
        api_serializers.CommentSerializer,
        api_serializers.AttachmentUploadSerializer,
    ]
    pending = [action_bodies.ActionSerializer]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def writable_text_fields(serializer, prefix=""):
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        if isinstance(field, serializers.ListSerializer):
            yield from writable_text_fields(field.child, f"{prefix}{name}[].")
        elif isinstance(field, serializers.Serializer):
            yield from writable_text_fields(field, f"{prefix}{name}.")
        elif isinstance(field, serializers.CharField):
            yield f"{prefix}{name}", field


def test_every_text_input_of_the_api_has_a_max_length():
    unbounded = []
    for cls in input_serializers():
        for name, field in writable_text_fields(cls()):
            if field.max_length is None:
                unbounded.append(f"{cls.__name__}.{name}")

    assert unbounded == []


def page_forms():
    modules = (
        requests_app.web.forms,
        requests_app.web.action_forms,
        requests_app.web.item_forms,
        requests_app.web.reports,
        partners.accounts.forms,
    )
    for module in modules:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_text_field_of_the_page_forms_has_a_max_length():
    checked, unbounded = [], []
    for cls in page_forms():
        for name, field in cls.base_fields.items():
            if isinstance(field, forms.CharField):
                checked.append(f"{cls.__name__}.{name}")
                if field.max_length is None:
                    unbounded.append(f"{cls.__name__}.{name}")

    assert "DraftForm.justification" in checked  # the walk sees the forms
    assert unbounded == []


def test_a_6000_character_justification_is_a_400_naming_the_field(people):
    body = {"title": "Gyros", "responding_nation": "US", "justification": "j" * 6000}

    response = client_for(people.requester_in).post(url(), body, format="json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "justification" in errors
    assert "5000" in errors["justification"][0]
    assert not PriorityRequest.objects.exists()


def test_a_6000_character_comment_on_the_page_is_refused_next_to_the_field(
    client, people, make_request
):
    target = make_request("submitted")
    client.force_login(people.requester_in)

    response = client.post(f"/requests/{target.reference}/comment/", {"body": "c" * 6000})

    assert response.status_code == 400
    assert "5000" in response.content.decode()
    assert not Comment.objects.exists()


# --- oversized bodies -------------------------------------------------------------------------


def test_a_3_mb_json_body_is_refused_with_a_413_json_error(people):
    body = json.dumps({"title": "Gyros", "justification": "j" * THREE_MB})

    response = client_for(people.requester_in).post(url(), body, content_type="application/json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "larger than 2.5" in response.json()["errors"]["detail"][0]
    assert not PriorityRequest.objects.exists()


def test_a_3_mb_form_post_to_a_page_is_a_400_not_a_crash(client, people):
    client.force_login(people.requester_in)

    response = client.post("/requests/new/", {"title": "Gyros", "justification": "j" * THREE_MB})

    assert response.status_code == 400
    assert not PriorityRequest.objects.exists()


@pytest.fixture
def one_mb_cap(settings):
    settings.SOSA_ATTACHMENT_MAX_BYTES = 1024 * 1024
    return PDF + b"0" * (1024 * 1024)  # a PDF just over the cap


def test_an_api_upload_over_the_attachment_cap_is_refused_with_a_clear_message(
    people, make_request, one_mb_cap
):
    target = make_request("submitted")
    upload = SimpleUploadedFile("big.pdf", one_mb_cap, content_type="application/pdf")

    response = client_for(people.requester_in).post(
        url(target.reference, "attachments"), {"file": upload}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["errors"]["file"] == ["The file is larger than 1.0\xa0MB."]
    assert not Attachment.objects.exists()


def test_a_page_upload_over_the_attachment_cap_is_refused_with_a_clear_message(
    client, people, make_request, one_mb_cap
):
    target = make_request("submitted")
    client.force_login(people.requester_in)
    upload = SimpleUploadedFile("big.pdf", one_mb_cap, content_type="application/pdf")

    response = client.post(f"/requests/{target.reference}/attach/", {"files": [upload]})

    assert response.status_code == 400
    assert "larger than 1.0\xa0MB" in response.content.decode()
    assert not Attachment.objects.exists()
