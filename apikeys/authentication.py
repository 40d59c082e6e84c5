from django.utils import timezone
from rest_framework import authentication, exceptions

from apikeys.models import APIKey, lookup_prefix_of
from beel.api import throttling
from beel.api.client_address import client_address
from beel.api.throttling import failed_authentication_limit


class APIKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer beel_sk_...`. Sets request.user to the owning account and request.auth to the
    APIKey. Every failure is the same 401 to the caller, apart from a short reason."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request)
        if not header:
            return None
        # Failed attempts are limited per client address (RATE_LIMIT_FAILED_AUTH): past the limit every
        # attempt from there is refused before the key is even looked up, so guessing keys costs the
        # guesser time and the database nothing.
        failures = failed_authentication_limit(client_address(request))
        state = throttling.check([failures], record=False)
        if state is not None and not state.allowed:
            refusal = exceptions.Throttled(wait=state.retry_after)
            refusal.public_message = "Too many failed authentication attempts from this address; retry later"
            raise refusal
        try:
            return self._authenticate(request, header)
        except exceptions.AuthenticationFailed:
            throttling.check([failures])
            raise

    def _authenticate(self, request, header: bytes):
        try:
            parts = header.decode("ascii").split()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Malformed Authorization header") from None
        if len(parts) != 2 or parts[0].lower() != self.keyword.lower():
            raise exceptions.AuthenticationFailed("Authorization header must be 'Bearer beel_sk_<key>'")
        raw_key = parts[1]
        prefix = lookup_prefix_of(raw_key)
        if prefix is None:
            raise exceptions.AuthenticationFailed("Malformed API key")
        api_key = APIKey.objects.select_related("account").filter(prefix=prefix).first()
        # Unknown and wrong-secret keys get the same answer, so the prefix space cannot be probed.
        if api_key is None or not api_key.matches(raw_key):
            raise exceptions.AuthenticationFailed("Invalid API key")
        if api_key.is_revoked:
            raise exceptions.AuthenticationFailed("API key has been revoked")
        if api_key.is_expired(timezone.now()):
            raise exceptions.AuthenticationFailed("API key has expired")
        if not api_key.account.is_active:
            raise exceptions.AuthenticationFailed("Account is disabled")
        api_key.touch()
        return api_key.account, api_key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
