"""Webhook endpoint use cases, shared by the API and the admin."""

import uuid
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from beel.errors import Conflict, ValidationFailed
from beel.ids import parse_uuid
from beel.tenancy import DataScope
from webhooks.errors import WebhookDeliveryNotFound, WebhookEndpointNotFound
from webhooks.models import ATTEMPTS_SHOWN, WebhookAttempt, WebhookDelivery, WebhookEndpoint, new_signing_secret
from webhooks.security import UnsafeURL, check_url


def _checked_url(url: str, *, mode: str) -> str:
    try:
        check_url(url, mode=mode)
    except UnsafeURL as refusal:
        raise ValidationFailed(details={"url": str(refusal)}) from None
    return url


def get_endpoint(*, scope: DataScope, endpoint_id: str | uuid.UUID, for_update: bool = False) -> WebhookEndpoint:
    endpoint_uuid = parse_uuid(str(endpoint_id), field="endpoint_id")
    endpoints = WebhookEndpoint.objects.within(scope).filter(pk=endpoint_uuid)
    endpoint = (endpoints.select_for_update() if for_update else endpoints).first()
    if endpoint is None:
        raise WebhookEndpointNotFound()
    return endpoint


def create_endpoint(*, scope: DataScope, url: str, description: str = "") -> WebhookEndpoint:
    """An enabled endpoint for the scope's account and mode, with a new signing secret (the caller shows
    it once)."""
    account, mode = scope.owner()
    return WebhookEndpoint.objects.create(
        account=account, mode=mode, url=_checked_url(url, mode=mode), description=description
    )


def update_endpoint(*, scope: DataScope, endpoint_id: str, data: Mapping[str, Any]) -> WebhookEndpoint:
    """Change `url`, `description`, or `enabled`: enabling a disabled endpoint clears why it was disabled
    and its run of failures, so it gets three fresh days."""
    with transaction.atomic():
        endpoint = get_endpoint(scope=scope, endpoint_id=endpoint_id, for_update=True)
        if "url" in data:
            endpoint.url = _checked_url(data["url"], mode=endpoint.mode)
        if "description" in data:
            endpoint.description = data["description"]
        if "enabled" in data and data["enabled"] != endpoint.enabled:
            endpoint.status = WebhookEndpoint.Status.ENABLED if data["enabled"] else WebhookEndpoint.Status.DISABLED
            endpoint.disabled_reason = "" if data["enabled"] else "Disabled by the account."
            endpoint.failing_since = None
        endpoint.save()
    return endpoint


def delete_endpoint(*, scope: DataScope, endpoint_id: str) -> None:
    get_endpoint(scope=scope, endpoint_id=endpoint_id).delete()


def rotate_secret(*, scope: DataScope, endpoint_id: str) -> WebhookEndpoint:
    """A new signing secret, used from the next delivery on; the old one stops working at once."""
    with transaction.atomic():
        endpoint = get_endpoint(scope=scope, endpoint_id=endpoint_id, for_update=True)
        endpoint.secret = new_signing_secret()
        endpoint.save(update_fields=["secret", "updated_at"])
    return endpoint


def recent_attempts(*, endpoint: WebhookEndpoint) -> list[WebhookAttempt]:
    return list(WebhookAttempt.objects.filter(endpoint=endpoint).select_related("delivery__event")[:ATTEMPTS_SHOWN])


def schedule_retry(*, scope: DataScope, endpoint_id: str, delivery_id: int | str) -> WebhookDelivery:
    """Make a delivery due now, whatever came of it before (a succeeded one is sent again: the receiver
    asked for it). The caller hands it to the queue. Refused while the endpoint is disabled, where it
    would silently never be sent."""
    with transaction.atomic():
        endpoint = get_endpoint(scope=scope, endpoint_id=endpoint_id)
        if not endpoint.enabled:
            raise Conflict("The endpoint is disabled; enable it before retrying its deliveries")
        try:
            delivery = WebhookDelivery.objects.select_for_update().get(pk=int(delivery_id), endpoint=endpoint)
        except (ValueError, WebhookDelivery.DoesNotExist):
            raise WebhookDeliveryNotFound() from None
        delivery.status = WebhookDelivery.Status.PENDING
        delivery.next_attempt_at = timezone.now()
        # A manual retry gets the full retry window again.
        delivery.created_at = delivery.next_attempt_at
        delivery.save(update_fields=["status", "next_attempt_at", "created_at"])
    return delivery
