"""Webhook endpoint use cases, shared by the API and the admin."""

import uuid
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from beel.errors import Conflict, ValidationFailed
from beel.ids import parse_uuid
from beel.tenancy import DataScope
from companies.models import Company
from webhooks.errors import WebhookDeliveryNotFound, WebhookEndpointNotFound
from webhooks.models import ATTEMPTS_SHOWN, WebhookAttempt, WebhookDelivery, WebhookEndpoint, new_signing_secret
from webhooks.security import UnsafeURL, check_url


def _checked_url(url: str, *, mode: str) -> str:
    try:
        check_url(url, mode=mode)
    except UnsafeURL as refusal:
        raise ValidationFailed(details={"url": str(refusal)}) from None
    return url


def _listened_companies(company_ids: Iterable[uuid.UUID | str], *, account, reachable: Collection[str]) -> list[str]:
    """The companies an endpoint is to listen to, checked: companies of its account, and, for a credential
    restricted to some companies (`reachable`), only those; none named means every company, or, for such a
    credential, every company it reaches."""
    wanted = sorted({str(company_id) for company_id in company_ids})
    if not wanted:
        return sorted(str(company_id) for company_id in reachable)
    known = {str(pk) for pk in Company.objects.of_account(account).filter(pk__in=wanted).values_list("pk", flat=True)}
    if reachable:
        known &= {str(company_id) for company_id in reachable}
    if unknown := [company_id for company_id in wanted if company_id not in known]:
        raise ValidationFailed(details={"company_ids": f"Not companies this key can reach: {', '.join(unknown)}"})
    return wanted


def get_endpoint(
    *,
    scope: DataScope,
    endpoint_id: str | uuid.UUID,
    for_update: bool = False,
    reachable_companies: Collection[str] = (),
) -> WebhookEndpoint:
    """One endpoint of the scope's account and mode; for a credential restricted to some companies, only one
    that listens to none but those (WebhookEndpointQuerySet.reachable_with)."""
    endpoint_uuid = parse_uuid(str(endpoint_id), field="endpoint_id")
    endpoints = WebhookEndpoint.objects.within(scope).reachable_with(reachable_companies).filter(pk=endpoint_uuid)
    endpoint = (endpoints.select_for_update() if for_update else endpoints).first()
    if endpoint is None:
        raise WebhookEndpointNotFound()
    return endpoint


def create_endpoint(
    *,
    scope: DataScope,
    url: str,
    description: str = "",
    company_ids: Iterable[uuid.UUID | str] = (),
    reachable_companies: Collection[str] = (),
) -> WebhookEndpoint:
    """An enabled endpoint for the scope's account and mode, with a new signing secret (the caller shows
    it once), listening to the events of `company_ids` (none: every company the credential reaches)."""
    account, mode = scope.owner()
    listened = _listened_companies(company_ids, account=account, reachable=reachable_companies)
    return WebhookEndpoint.objects.create(
        account=account, mode=mode, url=_checked_url(url, mode=mode), description=description, company_ids=listened
    )


def update_endpoint(
    *, scope: DataScope, endpoint_id: str, data: Mapping[str, Any], reachable_companies: Collection[str] = ()
) -> WebhookEndpoint:
    """Change `url`, `description`, `company_ids` or `enabled`: enabling a disabled endpoint clears why it
    was disabled and its run of failures, so it gets three fresh days."""
    with transaction.atomic():
        endpoint = get_endpoint(
            scope=scope, endpoint_id=endpoint_id, for_update=True, reachable_companies=reachable_companies
        )
        if "company_ids" in data:
            endpoint.company_ids = _listened_companies(
                data["company_ids"], account=endpoint.account_id, reachable=reachable_companies
            )
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


def delete_endpoint(*, scope: DataScope, endpoint_id: str, reachable_companies: Collection[str] = ()) -> None:
    """The endpoint with its deliveries and attempts. Locked first, as whoever adds a delivery or an attempt to it
    locks it first (webhooks.delivery): an attempt in flight then records itself before the deletion reads what
    to delete, or finds the endpoint gone, never a row the deletion missed (a foreign key violation)."""
    with transaction.atomic():
        get_endpoint(
            scope=scope, endpoint_id=endpoint_id, for_update=True, reachable_companies=reachable_companies
        ).delete()


def rotate_secret(*, scope: DataScope, endpoint_id: str, reachable_companies: Collection[str] = ()) -> WebhookEndpoint:
    """A new signing secret, used from the next delivery on; the old one stops working at once."""
    with transaction.atomic():
        endpoint = get_endpoint(
            scope=scope, endpoint_id=endpoint_id, for_update=True, reachable_companies=reachable_companies
        )
        endpoint.secret = new_signing_secret()
        endpoint.save(update_fields=["secret", "updated_at"])
    return endpoint


def recent_attempts(*, endpoint: WebhookEndpoint) -> list[WebhookAttempt]:
    return list(WebhookAttempt.objects.filter(endpoint=endpoint).select_related("delivery__event")[:ATTEMPTS_SHOWN])


def schedule_retry(
    *, scope: DataScope, endpoint_id: str, delivery_id: int | str, reachable_companies: Collection[str] = ()
) -> WebhookDelivery:
    """Make a delivery due now, whatever came of it before (a succeeded one is sent again: the receiver
    asked for it). The caller hands it to the queue. Refused while the endpoint is disabled, where it
    would silently never be sent."""
    with transaction.atomic():
        endpoint = get_endpoint(scope=scope, endpoint_id=endpoint_id, reachable_companies=reachable_companies)
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
