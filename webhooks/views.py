from datetime import timedelta

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from apikeys.models import Scope
from beel.api.schema import error_responses
from beel.api.serializers import page_serializer
from beel.api.views import APIViewSet
from webhooks import services
from webhooks.models import WebhookEndpoint
from webhooks.serializers import (
    SecretRotationSerializer,
    WebhookAttemptSerializer,
    WebhookDeliverySerializer,
    WebhookEndpointCreateSerializer,
    WebhookEndpointSerializer,
    WebhookEndpointUpdateSerializer,
    WebhookEndpointWithSecretSerializer,
)
from webhooks.tasks import queue_delivery

ENDPOINT_ID = OpenApiParameter("endpoint_id", OpenApiTypes.UUID, OpenApiParameter.PATH)
DELIVERY_ID = OpenApiParameter("delivery_id", OpenApiTypes.INT, OpenApiParameter.PATH)
TAGS = ["webhooks"]


class WebhookEndpointViewSet(APIViewSet):
    # Endpoints belong to the account and may listen to any of its companies.
    acts_on_company = False
    """Webhook endpoints of the key's account and mode (a test key manages test-mode endpoints)."""

    queryset = WebhookEndpoint.objects.none()
    serializer_class = WebhookEndpointSerializer
    lookup_url_kwarg = "endpoint_id"
    results_key = "webhook_endpoints"
    required_scopes = {
        "list": Scope.WEBHOOKS_READ,
        "retrieve": Scope.WEBHOOKS_READ,
        "attempts": Scope.WEBHOOKS_READ,
        "create": Scope.WEBHOOKS_WRITE,
        "partial_update": Scope.WEBHOOKS_WRITE,
        "destroy": Scope.WEBHOOKS_WRITE,
        "rotate_secret": Scope.WEBHOOKS_WRITE,
        "retry_delivery": Scope.WEBHOOKS_WRITE,
        "send_test_event": Scope.WEBHOOKS_WRITE,
    }

    def get_queryset(self):
        endpoints = WebhookEndpoint.objects.within(self.data_scope()).reachable_with(self.reachable_companies())
        return endpoints.order_by("created_at", "id")

    def reachable_companies(self) -> list[str]:
        """The companies the key is restricted to (empty: all): such a key sees and manages only the endpoints
        that listen to none but those."""
        return list(self.request.auth.company_ids)

    def reach(self) -> dict:
        return {"scope": self.data_scope(), "reachable_companies": self.reachable_companies()}

    @extend_schema(
        tags=TAGS,
        operation_id="listWebhookEndpoints",
        responses={
            200: page_serializer("WebhookEndpointPage", "webhook_endpoints", WebhookEndpointSerializer),
            **error_responses(400),
        },
    )
    def list(self, request):
        return super().list(request)

    @extend_schema(
        tags=TAGS,
        operation_id="retrieveWebhookEndpoint",
        parameters=[ENDPOINT_ID],
        responses={200: WebhookEndpointSerializer, **error_responses(400, 404)},
    )
    def retrieve(self, request, endpoint_id: str):
        endpoint = services.get_endpoint(**self.reach(), endpoint_id=endpoint_id)
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(
        tags=TAGS,
        operation_id="createWebhookEndpoint",
        description="Live-mode URLs must be https and resolve to public addresses. The answer holds the "
        "signing `secret`, shown only this once. `company_ids` limits it to the events of some companies of the "
        "account (each event names its `company_id`); omitted or empty, it receives every company's (a key "
        'restricted to some companies: those companies\'). `events` selects event types (default `["*"]`: all).',
        request=WebhookEndpointCreateSerializer,
        responses={201: WebhookEndpointWithSecretSerializer, **error_responses(400)},
    )
    def create(self, request):
        body = WebhookEndpointCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        endpoint = services.create_endpoint(**self.reach(), **body.validated_data)
        return Response(WebhookEndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=TAGS,
        operation_id="updateWebhookEndpoint",
        parameters=[ENDPOINT_ID],
        request=WebhookEndpointUpdateSerializer,
        responses={200: WebhookEndpointSerializer, **error_responses(400, 404)},
    )
    def partial_update(self, request, endpoint_id: str):
        body = WebhookEndpointUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        endpoint = services.update_endpoint(**self.reach(), endpoint_id=endpoint_id, data=body.validated_data)
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(
        tags=TAGS,
        operation_id="deleteWebhookEndpoint",
        parameters=[ENDPOINT_ID],
        responses={
            200: inline_serializer("WebhookEndpointDeleted", {"message": serializers.CharField()}),
            **error_responses(400, 404),
        },
    )
    def destroy(self, request, endpoint_id: str):
        services.delete_endpoint(**self.reach(), endpoint_id=endpoint_id)
        return Response({"message": "Webhook endpoint deleted"})

    @extend_schema(
        tags=TAGS,
        operation_id="rotateWebhookEndpointSecret",
        description="A new signing secret, shown only in this answer. The old one stops working at once, or with "
        "`expires_in_seconds` (up to 7 days) keeps signing deliveries next to the new one until "
        "`previous_secret_expires_at`: each delivery then carries two `v1` signatures, so the receiver can switch "
        "secrets without refusing any.",
        parameters=[ENDPOINT_ID],
        request=SecretRotationSerializer,
        responses={200: WebhookEndpointWithSecretSerializer, **error_responses(400, 404)},
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, endpoint_id: str):
        body = SecretRotationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        overlap = timedelta(seconds=body.validated_data["expires_in_seconds"])
        endpoint = services.rotate_secret(**self.reach(), endpoint_id=endpoint_id, previous_valid_for=overlap)
        return Response(WebhookEndpointWithSecretSerializer(endpoint).data)

    @extend_schema(
        tags=TAGS,
        operation_id="sendWebhookTestEvent",
        description="Send this endpoint a `webhook.test` event now, signed and retried like any other, to try a "
        "receiver. No other endpoint receives it, whatever it selects, and GET /events does not list it. 409 "
        "while the endpoint is disabled.",
        parameters=[ENDPOINT_ID],
        request=None,
        responses={202: WebhookDeliverySerializer, **error_responses(400, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path="test")
    def send_test_event(self, request, endpoint_id: str):
        delivery = services.send_test_event(**self.reach(), endpoint_id=endpoint_id)
        queue_delivery(delivery.pk)  # as a retry: after the commit, or by the sweep while the broker is down
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        tags=TAGS,
        operation_id="listWebhookAttempts",
        description="The endpoint's last 50 delivery attempts, newest first.",
        parameters=[ENDPOINT_ID],
        responses={
            200: inline_serializer("WebhookAttempts", {"attempts": WebhookAttemptSerializer(many=True)}),
            **error_responses(400, 404),
        },
    )
    @action(detail=True, methods=["get"])
    def attempts(self, request, endpoint_id: str):
        endpoint = services.get_endpoint(**self.reach(), endpoint_id=endpoint_id)
        attempts = services.recent_attempts(endpoint=endpoint)
        return Response({"attempts": WebhookAttemptSerializer(attempts, many=True).data})

    @extend_schema(
        tags=TAGS,
        operation_id="retryWebhookDelivery",
        description="Send this delivery's event again now (the endpoint must be enabled): 202 with the delivery "
        "`pending` and due now; it is sent by the queue, or within the sweep's interval while the queue is away.",
        parameters=[ENDPOINT_ID, DELIVERY_ID],
        request=None,
        responses={202: WebhookDeliverySerializer, **error_responses(400, 404, 409)},
    )
    @action(detail=True, methods=["post"], url_path=r"deliveries/(?P<delivery_id>\d+)/retry")
    def retry_delivery(self, request, endpoint_id: str, delivery_id: str):
        delivery = services.schedule_retry(**self.reach(), endpoint_id=endpoint_id, delivery_id=delivery_id)
        # Accepted as due in the database: the queue, or the sweep should the broker be down, sends it.
        queue_delivery(delivery.pk)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
