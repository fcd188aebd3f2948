"""The request bodies of the actions (DESIGN §7): one serializer per transition, whose
validated data are the keyword arguments of its service function."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

from partners.models import Supplier

from ..models import PROGRAM_SYMBOL_CHOICES, Rating
from ..transitions import TRANSITIONS
from .strict import StrictFieldsMixin

User = get_user_model()
MAX_ITEMS = 200  # a draft's items, at most (serializers.DraftSerializer)


class ActionSerializer(StrictFieldsMixin, serializers.Serializer):
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="The version you acted on; 409 if stale."
    )

    def service_kwargs(self) -> dict:
        """The keyword arguments of the service function."""
        return dict(self.validated_data)


class SubmitSerializer(ActionSerializer):
    pass


class QuestionSerializer(ActionSerializer):
    question = serializers.CharField(max_length=5000)


class AnswerSerializer(ActionSerializer):
    answer = serializers.CharField(max_length=5000)


# One answer whether the user name exists or not: the API is no way to learn who has an account.
NOT_ASSIGNABLE = "Assign a reviewer or liaison officer of the responding nation."


class TriageSerializer(ActionSerializer):
    assignee = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        error_messages={"does_not_exist": NOT_ASSIGNABLE, "invalid": NOT_ASSIGNABLE},
    )


class NoteSerializer(ActionSerializer):
    note = serializers.CharField(max_length=5000)


class DetermineSerializer(ActionSerializer):
    rating = serializers.ChoiceField(choices=Rating.choices, help_text="The recommended rating.")
    program_symbol = serializers.ChoiceField(
        choices=PROGRAM_SYMBOL_CHOICES,
        help_text="DPAS Schedule I; for a foreign government usually G2 or G3.",
    )
    note = serializers.CharField(max_length=5000, help_text="The program determination.")
    dod_reference = serializers.CharField(max_length=64, required=False, allow_blank=True)


class AuthoriseSerializer(ActionSerializer):
    bis_case_number = serializers.CharField(max_length=64, help_text="Commerce's case number.")
    rating = serializers.ChoiceField(choices=Rating.choices, help_text="The authorised rating.")
    program_symbol = serializers.ChoiceField(choices=PROGRAM_SYMBOL_CHOICES)
    note = serializers.CharField(max_length=5000)
    change_reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Required when the rating differs from the DoD's recommendation.",
    )


class ReasonSerializer(ActionSerializer):
    reason = serializers.CharField(max_length=5000)


class ForwardSerializer(ActionSerializer):
    supplier = serializers.PrimaryKeyRelatedField(queryset=Supplier.objects.all())


class ItemAnswerSerializer(StrictFieldsMixin, serializers.Serializer):
    id = serializers.IntegerField(help_text="The item's id (`items[].id` of the request).")
    committed_delivery_date = serializers.DateField()


class ItemRejectionSerializer(StrictFieldsMixin, serializers.Serializer):
    id = serializers.IntegerField(help_text="The item's id (`items[].id` of the request).")
    reason = serializers.CharField(max_length=2000)


class SupplierAcceptSerializer(ActionSerializer):
    """Every item at one date (`committed_delivery_date`), or item by item (`items` accepted,
    `rejected_items` rejected; every item answered once, at least one accepted)."""

    committed_delivery_date = serializers.DateField(
        required=False, help_text="One committed date for every item."
    )
    items: serializers.ListSerializer = serializers.ListSerializer(
        child=ItemAnswerSerializer(), required=False, max_length=MAX_ITEMS
    )
    rejected_items: serializers.ListSerializer = serializers.ListSerializer(
        child=ItemRejectionSerializer(), required=False, max_length=MAX_ITEMS
    )
    late_reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Why items are committed later than they are needed (kept on those items).",
    )

    def validate(self, attrs):
        if not {"committed_delivery_date", "items", "rejected_items"} & set(attrs):
            raise serializers.ValidationError(
                {"committed_delivery_date": ["Give a date for every item, or answer per item."]}
            )
        return attrs

    def service_kwargs(self) -> dict:
        kwargs = dict(self.validated_data)
        for name in ("items", "rejected_items"):
            if name in kwargs:
                kwargs[name] = [dict(entry) for entry in kwargs[name]]
        return kwargs


class SupplierRejectSerializer(ActionSerializer):
    reason = serializers.CharField(max_length=5000)
    earliest_date = serializers.DateField(help_text="The earliest date the supplier can meet.")


class ReportDelaySerializer(ActionSerializer):
    reason = serializers.CharField(max_length=5000)
    committed_delivery_date = serializers.DateField(help_text="The new committed date.")
    item = serializers.IntegerField(
        required=False,
        help_text="The one item that is late (`items[].id`); without it every item still owed.",
    )


class RecordDeliverySerializer(ActionSerializer):
    item = serializers.IntegerField(help_text="The accepted item delivered (`items[].id`).")
    quantity = serializers.IntegerField(
        min_value=1, help_text="How many arrived; no more than is still owed."
    )
    delivered_on = serializers.DateField(
        help_text="When it arrived, in the requesting nation; not in the future."
    )


class FulfilSerializer(ActionSerializer):
    delivered_on = serializers.DateField(
        help_text="When everything still owed arrived (one last delivery of each open item)."
    )


class SplitSerializer(ActionSerializer):
    items = serializers.ListField(
        child=serializers.IntegerField(),
        min_length=1,
        max_length=500,
        help_text="Ids of rejected items to carry into the follow-on request.",
    )


ACTION_SERIALIZERS: dict[str, type[ActionSerializer]] = {
    "submit": SubmitSerializer,
    "request_info": QuestionSerializer,
    "answer": AnswerSerializer,
    "endorse": NoteSerializer,
    "triage": TriageSerializer,
    "determine": DetermineSerializer,
    "authorise": AuthoriseSerializer,
    "approve": NoteSerializer,
    "decline": ReasonSerializer,
    "forward": ForwardSerializer,
    "supplier_accept": SupplierAcceptSerializer,
    "supplier_reject": SupplierRejectSerializer,
    "report_delay": ReportDelaySerializer,
    "record_delivery": RecordDeliverySerializer,
    "fulfil": FulfilSerializer,
    "split": SplitSerializer,
    "close_unfulfilled": ReasonSerializer,
    "withdraw": ReasonSerializer,
}
assert set(ACTION_SERIALIZERS) == set(TRANSITIONS), "every action has its request body"
