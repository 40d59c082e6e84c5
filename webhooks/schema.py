"""OpenAPI (drf-spectacular) for the events: one component per event type (`CustomerCreatedEvent`, ...) with
its envelope and the schema of its `data`, `Event` (any event of the stream, told apart by `type`), and the
webhooks themselves under `x-webhooks` (OpenAPI 3.0 has no `webhooks`; Redoc reads this extension). Added by
a post-processing hook, once the components that `data` refers to (CustomerDetail, CustomerExport, Invoice) exist."""

from typing import Any

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from beel.api.serializers import PaginationSerializer
from beel.events.models import API_VERSION, STREAM_TYPES, EventType

# The component describing each event type's `data`: the object as the API shows it when the event happens.
EVENT_DATA = {
    EventType.CUSTOMER_CREATED: "CustomerDetail",
    EventType.CUSTOMER_UPDATED: "CustomerDetail",
    EventType.CUSTOMER_DEACTIVATED: "CustomerDetail",
    EventType.CUSTOMER_REACTIVATED: "CustomerDetail",
    EventType.CUSTOMER_ANONYMIZED: "CustomerDetail",
    EventType.CUSTOMER_MERGED: "CustomerDetail",
    EventType.CUSTOMER_DELETED: "CustomerDetail",
    EventType.CUSTOMER_TAX_ID_VERIFIED: "CustomerDetail",
    EventType.CUSTOMER_EXPORT_SUCCEEDED: "CustomerExport",
    EventType.CUSTOMER_EXPORT_FAILED: "CustomerExport",
    EventType.INVOICE_CREATED: "Invoice",
    EventType.INVOICE_ISSUED: "Invoice",
    EventType.INVOICE_CANCELLED: "Invoice",
    EventType.INVOICE_PAID: "Invoice",
    EventType.INVOICE_OVERDUE: "Invoice",
    EventType.WEBHOOK_TEST: "WebhookTestEventData",
}
WEBHOOK_TEST_DATA = {
    "type": "object",
    "required": ["webhook_endpoint_id", "message"],
    "properties": {
        "webhook_endpoint_id": {"type": "string", "format": "uuid"},
        "message": {"type": "string"},
    },
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def event_component(event_type: str) -> str:
    """`customer.tax_id_verified` -> `CustomerTaxIdVerifiedEvent`."""
    words = event_type.replace(".", "_").split("_")
    return "".join(word.capitalize() for word in words) + "Event"


STREAM_EVENT_REF = _ref("Event")


@extend_schema_field(STREAM_EVENT_REF)
class EventField(serializers.JSONField):
    """An event's envelope (Event.envelope()), documented by the `Event` component."""


@extend_schema_serializer(many=False)
class EventPageSerializer(serializers.Serializer):
    """GET /events' `data`: `{"events": [...], "pagination": {...}}`."""

    events = serializers.ListField(child=EventField())
    pagination = PaginationSerializer()


def _envelope(event_type: str) -> dict[str, Any]:
    event_type = str(event_type)  # plain text: the YAML rendering takes no enumeration members
    return {
        "type": "object",
        "description": f"The `{event_type}` event, as a webhook delivery's body and GET /events show it.",
        "required": ["id", "type", "sequence", "created_at", "api_version", "livemode", "company_id", "data"],
        "properties": {
            "id": {"type": "string", "pattern": r"^evt_[0-9a-f]{32}$", "description": "Deduplicate on it."},
            "type": {"type": "string", "enum": [event_type]},
            "sequence": {
                "type": "integer",
                "format": "int64",
                "minimum": 1,
                "description": "Increasing with the order in which the changes committed, per account and mode: "
                "apply an event to an object only if its sequence is higher than the last one applied to it.",
            },
            "created_at": {"type": "string", "format": "date-time"},
            "api_version": {"type": "string", "enum": [API_VERSION]},
            "livemode": {"type": "boolean"},
            "company_id": {
                "type": "string",
                "format": "uuid",
                "nullable": True,
                "description": "The company whose object changed (null: an event before companies, or a test).",
            },
            "data": _ref(EVENT_DATA[event_type]),
        },
    }


def add_event_components(result, generator, request, public):
    """drf-spectacular post-processing hook: the events' components and `x-webhooks`."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["WebhookTestEventData"] = WEBHOOK_TEST_DATA
    for event_type in EVENT_DATA:
        schemas[event_component(event_type)] = _envelope(event_type)
    schemas["Event"] = {
        "description": "Any event of the stream, told apart by `type`.",
        "oneOf": [_ref(event_component(event_type)) for event_type in STREAM_TYPES],
        "discriminator": {
            "propertyName": "type",
            "mapping": {
                event_type: f"#/components/schemas/{event_component(event_type)}" for event_type in STREAM_TYPES
            },
        },
    }
    result["x-webhooks"] = {
        str(event_type): {
            "post": {
                "operationId": f"{event_component(event_type)[0].lower()}{event_component(event_type)[1:]}Webhook",
                "summary": f"`{event_type}`, POSTed to the endpoints that select it, signed (BeeL-Signature)",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _envelope_ref(event_type)}},
                },
                "responses": {"200": {"description": "Any 2xx within 10 seconds acknowledges the delivery."}},
            }
        }
        for event_type in EVENT_DATA
    }
    return result


def _envelope_ref(event_type: str) -> dict[str, str]:
    return _ref(event_component(event_type))
