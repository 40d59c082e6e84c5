from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from beel.api.serializers import APISerializer, UTCDateTimeField
from beel.events.models import STREAM_TYPES
from webhooks.models import EVERY_EVENT, LONGEST_SECRET_OVERLAP, WebhookAttempt, WebhookDelivery, WebhookEndpoint

SELECTABLE_EVENTS = [EVERY_EVENT, *STREAM_TYPES]
SELECTED_EVENTS = (
    'The event types it receives; ["*"] (the default): every type, present and future. Each other value is a '
    "type of the event stream (GET /events)."
)


class WebhookEndpointSerializer(serializers.Serializer):
    """An endpoint as the API shows it; never with its secret (see WebhookEndpointWithSecretSerializer)."""

    id = serializers.UUIDField(read_only=True)
    url = serializers.URLField(read_only=True)
    description = serializers.CharField(read_only=True)
    enabled = serializers.BooleanField(read_only=True)
    status = serializers.ChoiceField(choices=WebhookEndpoint.Status.choices, read_only=True)
    disabled_reason = serializers.CharField(
        read_only=True, allow_null=True, help_text="Why the endpoint is disabled (e.g. failing for 3 days)."
    )
    failing_since = UTCDateTimeField(read_only=True, allow_null=True)
    livemode = serializers.BooleanField(read_only=True)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=SELECTABLE_EVENTS), read_only=True, help_text=SELECTED_EVENTS
    )
    previous_secret_expires_at = UTCDateTimeField(
        read_only=True,
        allow_null=True,
        help_text="Until when the secret replaced by the last rotation still signs deliveries (null: it does not).",
    )
    company_ids = serializers.ListField(
        child=serializers.UUIDField(),
        read_only=True,
        help_text="The companies whose events it receives; empty: every company of the account.",
    )
    created_at = UTCDateTimeField(read_only=True)
    updated_at = UTCDateTimeField(read_only=True)

    def to_representation(self, endpoint: WebhookEndpoint) -> dict:
        return {
            "id": str(endpoint.id),
            "url": endpoint.url,
            "description": endpoint.description,
            "enabled": endpoint.enabled,
            "status": endpoint.status,
            "disabled_reason": endpoint.disabled_reason or None,
            "failing_since": self.fields["failing_since"].to_representation(endpoint.failing_since)
            if endpoint.failing_since
            else None,
            "livemode": endpoint.mode == "live",
            "events": list(endpoint.event_types) or [EVERY_EVENT],
            "company_ids": list(endpoint.company_ids),
            "previous_secret_expires_at": self.fields["previous_secret_expires_at"].to_representation(overlap_end)
            if (overlap_end := endpoint.previous_secret_signs_until())
            else None,
            "created_at": self.fields["created_at"].to_representation(endpoint.created_at),
            "updated_at": self.fields["updated_at"].to_representation(endpoint.updated_at),
        }


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown only now: store it to verify signatures.")

    def to_representation(self, endpoint: WebhookEndpoint) -> dict:
        return {**super().to_representation(endpoint), "secret": endpoint.secret}


LISTENED_COMPANIES = (
    "Receive only the events of these companies of the account (each event names its `company_id`); empty or "
    "omitted: every company's."
)


@extend_schema_field(
    {
        "oneOf": [
            {"type": "array", "items": {"type": "string", "enum": [EVERY_EVENT]}, "minItems": 1, "maxItems": 1},
            {
                "type": "array",
                "items": {"type": "string", "enum": list(STREAM_TYPES)},
                "minItems": 1,
                "maxItems": 50,
                "uniqueItems": True,
            },
        ]
    }
)
class SelectedEventsField(serializers.ListField):
    """`["*"]` alone, or event types of the stream: the schema says so, so a generated client cannot build a
    selection the service refuses."""


def _selected_events():
    # Checked against the known types by the service (webhooks.services.selected_event_types), where the
    # admin's choice is checked too.
    return SelectedEventsField(
        child=serializers.CharField(max_length=40),
        required=False,
        min_length=1,
        max_length=50,
        help_text=SELECTED_EVENTS,
    )


class WebhookEndpointCreateSerializer(APISerializer):
    url = serializers.URLField(max_length=2048)
    description = serializers.CharField(max_length=255, required=False, allow_blank=True)
    company_ids = serializers.ListField(
        child=serializers.UUIDField(), required=False, allow_empty=True, max_length=100, help_text=LISTENED_COMPANIES
    )
    events = _selected_events()


class WebhookEndpointUpdateSerializer(APISerializer):
    url = serializers.URLField(max_length=2048, required=False)
    description = serializers.CharField(max_length=255, required=False, allow_blank=True)
    company_ids = serializers.ListField(
        child=serializers.UUIDField(), required=False, allow_empty=True, max_length=100, help_text=LISTENED_COMPANIES
    )
    events = _selected_events()
    enabled = serializers.BooleanField(required=False, help_text="false to pause; true to re-enable.")


class SecretRotationSerializer(APISerializer):
    expires_in_seconds = serializers.IntegerField(
        required=False,
        default=0,
        min_value=0,
        max_value=int(LONGEST_SECRET_OVERLAP.total_seconds()),
        help_text="How long the replaced secret keeps signing deliveries next to the new one (each delivery then "
        "carries two `v1` signatures); 0, the default: it stops at once. At most 7 days.",
    )


class WebhookAttemptSerializer(serializers.ModelSerializer):
    delivery_id = serializers.IntegerField(source="delivery.id", read_only=True)
    event_id = serializers.CharField(source="delivery.event.public_id", read_only=True)
    event_type = serializers.CharField(source="delivery.event.type", read_only=True)
    delivery_status = serializers.ChoiceField(
        source="delivery.status", choices=WebhookDelivery.Status.choices, read_only=True
    )
    at = UTCDateTimeField(read_only=True)
    status_code = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = WebhookAttempt
        fields = [
            "id",
            "delivery_id",
            "event_id",
            "event_type",
            "delivery_status",
            "at",
            "succeeded",
            "status_code",
            "error",
            "duration_ms",
        ]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.CharField(source="event.public_id", read_only=True)
    next_attempt_at = UTCDateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "event_id", "status", "attempt_count", "next_attempt_at"]
        read_only_fields = fields
