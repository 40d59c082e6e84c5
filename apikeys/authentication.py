from django.utils import timezone
from rest_framework import authentication, exceptions

from apikeys import keycache
from apikeys.models import APIKey, lookup_prefix_of
from apikeys.permissions import HasRequiredScope
from beel.api import throttling
from beel.api.throttling import failed_authentication_limit
from beel.client_address import client_address


def _refusal_of(api_key: APIKey | None, raw_key: str) -> exceptions.AuthenticationFailed | None:
    """Why this key cannot authenticate this request, or None if it can."""
    # Unknown and wrong-secret keys get the same answer, so the prefix space cannot be probed.
    if api_key is None or not api_key.matches(raw_key):
        return exceptions.AuthenticationFailed("Invalid API key")
    if api_key.is_revoked:
        return exceptions.AuthenticationFailed("API key has been revoked")
    if api_key.is_expired(timezone.now()):
        return exceptions.AuthenticationFailed("API key has expired")
    if not api_key.account.is_active:
        return exceptions.AuthenticationFailed("Account is disabled")
    return None


class APIKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer beel_sk_...`. Sets request.user to the owning account and request.auth to the
    APIKey. Every failure is the same 401 to the caller, apart from a short reason."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request)
        if not header:
            return None
        try:
            raw_key, failure = self._key_in(header), None
        except exceptions.AuthenticationFailed as malformed:
            raw_key, failure = None, malformed
        prefix = lookup_prefix_of(raw_key) if raw_key is not None else None
        if raw_key is not None and prefix is None:
            failure = exceptions.AuthenticationFailed("Malformed API key")
        # Failed attempts are limited per client address (RATE_LIMIT_FAILED_AUTH): past the limit every
        # attempt from there is refused before the key is even looked up, so guessing keys costs the
        # guesser time and the database nothing. The same round trip reads the key's generation for the
        # copy this process may hold (apikeys.keycache).
        failures = failed_authentication_limit(client_address(request))
        share = prefix is not None and keycache.enabled()
        ahead = self._limits_to_check_along(request, prefix, raw_key) if share and failure is None else []
        state = throttling.check(
            [failures], record=False, read=(keycache.generation_key(prefix),) if share else (), also=ahead
        )
        if ahead:
            request.__dict__[throttling.CHECKED_WITH_AUTHENTICATION] = None if state is None else state.also
        if state is not None and not state.allowed:
            refusal = exceptions.Throttled(wait=state.retry_after)
            refusal.public_message = "Too many failed authentication attempts from this address; retry later"
            raise refusal
        try:
            if failure is not None:
                raise failure
            # Without the generation (no Redis, or Redis unreachable) the row is read every time.
            generation_known = share and state is not None and len(state.read) == 1
            return self._authenticate(raw_key, prefix, state.read[0] if generation_known else None, generation_known)
        except exceptions.AuthenticationFailed:
            throttling.check([failures])
            raise

    @staticmethod
    def _limits_to_check_along(request, prefix: str, raw_key: str) -> list:
        """With a copy of the key in this process, its rate limits can be checked in the round trip that
        reads the key's generation (the throttle then takes that decision): one round trip to Redis per
        request instead of two. Only for a request the copy authenticates (its secret, not revoked or
        expired, its account active) and whose scopes let it through, so that, as when DRF runs the throttle
        after authentication and permissions, neither a 401 nor a 403 is counted; and the script records
        the request only if the failed-authentication limit also has room. Should the copy turn out stale
        and the key now refused, the request was counted against that key."""
        view = (getattr(request, "parser_context", None) or {}).get("view")
        copied = keycache.held(prefix)
        if view is None or copied is None or throttling.APIKeyRateThrottle not in view.throttle_classes:
            return []
        if _refusal_of(copied, raw_key) is not None:
            return []
        if [type(permission) for permission in view.get_permissions()] != [HasRequiredScope]:
            return []
        try:
            required = HasRequiredScope.required_scope(request, view)
        except exceptions.PermissionDenied:
            return []
        if required is not None and not copied.grants(required):
            return []
        return throttling.key_limits(prefix, view)

    def _key_in(self, header: bytes) -> str:
        try:
            parts = header.decode("ascii").split()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Malformed Authorization header") from None
        if len(parts) != 2 or parts[0].lower() != self.keyword.lower():
            raise exceptions.AuthenticationFailed("Authorization header must be 'Bearer beel_sk_<key>'")
        return parts[1]

    def _authenticate(self, raw_key: str, prefix: str, generation: bytes | None, generation_known: bool):
        api_key = keycache.copy_of(prefix, generation) if generation_known else None
        copied = api_key is not None
        if not copied:
            api_key = APIKey.objects.select_related("account").filter(prefix=prefix).first()
        refusal = _refusal_of(api_key, raw_key)
        if refusal is not None:
            raise refusal
        if generation_known and not copied:
            keycache.remember(prefix, generation, api_key)
        api_key.touch()
        return api_key.account, api_key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
