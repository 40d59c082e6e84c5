"""GET /events and GET /events/{event_id}: the account's event stream, each event the very envelope a
webhook delivery carries, for a receiver that was down to catch up (docs/sync.md)."""

from datetime import UTC, datetime

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from apikeys.models import Scope
from beel.api.schema import error_responses
from beel.api.views import APIViewSet
from beel.clock import clock
from beel.events import selectors
from beel.events.models import Event
from beel.lists import Listing
from webhooks.filters import EventFilterSet
from webhooks.schema import STREAM_EVENT_REF, EventPageSerializer

EVENT_ID = OpenApiParameter(
    "event_id", OpenApiTypes.STR, OpenApiParameter.PATH, pattern=r"^evt_[0-9a-f]{32}$", description="The event's `id`"
)

# Declared here for its bounds (django-filter's integer field is read as any int64).
AFTER_SEQUENCE = OpenApiParameter(
    "after_sequence",
    {"type": "integer", "format": "int64", "minimum": 0},
    OpenApiParameter.QUERY,
    description="Only events whose `sequence` is greater than this (the last one you applied): resume from there.",
)


class EventViewSet(APIViewSet):
    """The events of the key's account and mode (a test key reads test-mode events) of the last 30 days."""

    # Events belong to the account; each names its company, which `company_id` filters on.
    acts_on_company = False
    queryset = Event.objects.none()
    filterset_class = EventFilterSet
    lookup_url_kwarg = "event_id"
    results_key = "events"
    required_scopes = {"list": Scope.EVENTS_READ, "retrieve": Scope.EVENTS_READ}

    def now(self) -> datetime:
        return datetime.fromtimestamp(clock.now(), UTC)

    def reachable_companies(self) -> list[str]:
        return list(self.request.auth.company_ids)

    def read_list(self, filterset: EventFilterSet) -> Listing:
        return selectors.list_events(
            scope=self.data_scope(),
            asked=filterset.asked(),
            now=self.now(),
            reachable_companies=self.reachable_companies(),
        )

    def represent_rows(self, rows) -> list:
        return [event.envelope() for event in rows]

    @extend_schema(
        tags=["events"],
        operation_id="listEvents",
        description="The account's events of the key's mode from the last 30 days, oldest first by `sequence`, "
        "each exactly as a webhook delivery's body. Resume after the last event applied with `after_sequence`, "
        "or walk with `cursor`. Test events (`webhook.test`) are not listed.",
        parameters=[AFTER_SEQUENCE],
        responses={200: EventPageSerializer, **error_responses(400)},
    )
    def list(self, request):
        return super().list(request)

    @extend_schema(
        tags=["events"],
        operation_id="retrieveEvent",
        description="One event of the stream, exactly as its webhook delivery's body; 404 once past its 30 days.",
        parameters=[EVENT_ID],
        responses={200: STREAM_EVENT_REF, **error_responses(400, 404)},
    )
    def retrieve(self, request, event_id: str):
        event = selectors.get_event(
            scope=self.data_scope(), event_id=event_id, now=self.now(), reachable_companies=self.reachable_companies()
        )
        return Response(event.envelope())
