import hmac
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone
from rest_framework import authentication, exceptions

from apikeys import keycache
from apikeys.models import APIKey, hash_key, lookup_prefix_of
from beel.api import throttling
from beel.api.throttling import Decision, Limit, failed_authentication_limit
from beel.client_address import client_address


@dataclass(frozen=True)
class Identity:
    """Who sends a request: the account and the API key. `limits_checked` when the identification's round
    trip to Redis also checked and recorded the key's rate limits (`limits_along`); `limits` is then their
    decision, None if Redis could not be read."""

    account: AbstractBaseUser
    api_key: APIKey
    limits_checked: bool = False
    limits: Decision | None = None


# What a presented key's hash is compared with when no key has its prefix: a hash no key has (a SHA-256 hex
# digest is never this), compared all the same so that the refusal costs what a wrong secret's does.
_NO_SUCH_KEY = "-" * 64


def _refusal_of(api_key: APIKey | None, presented_hash: str) -> exceptions.AuthenticationFailed | None:
    """Why this key cannot authenticate a request presenting `presented_hash`, or None if it can."""
    # Unknown and wrong-secret keys get the same answer, so the prefix space cannot be probed; and the same
    # work (see APIKeyAuthentication._authenticate), so it cannot be timed either.
    stored = _NO_SUCH_KEY if api_key is None else api_key.secret_hash
    if not hmac.compare_digest(stored, presented_hash) or api_key is None:
        return exceptions.AuthenticationFailed("Invalid API key")
    if api_key.is_revoked:
        return exceptions.AuthenticationFailed("API key has been revoked")
    if api_key.is_expired(timezone.now()):
        return exceptions.AuthenticationFailed("API key has expired")
    if not api_key.account.is_active:
        return exceptions.AuthenticationFailed("Account is disabled")
    return None


class APIKeyAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer beel_sk_...`: the owning account and its APIKey. Every failure is the same 401
    to the caller, apart from a short reason. The API's views identify the key through `identify`, as the
    first step of their request pipeline (beel.api.pipeline)."""

    keyword = "Bearer"

    def authenticate(self, request):
        """DRF's entry point, for a view outside the API's pipeline: the identification alone."""
        identity = self.identify(request)
        return None if identity is None else (identity.account, identity.api_key)

    def identify(self, request, limits_along: Callable[[APIKey], list[Limit]] | None = None) -> Identity | None:
        """The request's key, or None without an Authorization header.

        Failed attempts are limited per client address (RATE_LIMIT_FAILED_AUTH): past the limit every
        attempt from there is refused before the key is even looked up, so guessing keys costs the guesser
        time and the database nothing. The same round trip reads the key's generation for the copy this
        process may hold (apikeys.keycache) and, when that copy authenticates the request, checks and
        records the limits `limits_along(copied_key)` names (recorded only if the failed-authentication
        limit has room too)."""
        header = authentication.get_authorization_header(request)
        if not header:
            return None
        raw_key, prefix, failure = self._credentials_in(header)
        # Hashed once, before anything is looked up, whether or not a key has this prefix.
        presented_hash = hash_key(raw_key) if failure is None else ""
        failures = failed_authentication_limit(client_address(request))
        share = prefix is not None and keycache.enabled()
        along = self._limits_along(presented_hash, prefix, limits_along) if share and failure is None else []
        read = (keycache.generation_key(prefix),) if share else ()
        state = throttling.check([failures], record=False, read=read, also=along)
        if state is not None and not state.allowed:
            refusal = exceptions.Throttled(wait=state.retry_after)
            refusal.public_message = "Too many failed authentication attempts from this address; retry later"
            refusal.rate_limit_headers = state.tightest.headers()  # BeeL's 429 carries RateLimit-*
            raise refusal
        try:
            if failure is not None:
                raise failure
            # Without the generation (no Redis, or Redis unreachable) the row is read every time.
            generation_known = share and state is not None and len(state.read) == 1
            generation = state.read[0] if generation_known else None
            account, api_key = self._authenticate(presented_hash, prefix, generation, generation_known)
        except exceptions.AuthenticationFailed:
            throttling.check([failures])
            raise
        return Identity(account, api_key, limits_checked=bool(along), limits=None if state is None else state.also)

    @staticmethod
    def _limits_along(presented_hash: str, prefix: str, limits_along) -> list[Limit]:
        """Only for a request this process's copy of the key authenticates (its secret, not revoked or
        expired, its account active), so that a 401 is not counted against the key."""
        copied = keycache.held(prefix)
        if limits_along is None or copied is None or _refusal_of(copied, presented_hash) is not None:
            return []
        return limits_along(copied)

    def _credentials_in(self, header: bytes) -> tuple[str | None, str | None, exceptions.AuthenticationFailed | None]:
        """The raw key, its lookup prefix, and why they cannot be used (None if they may)."""
        try:
            raw_key = self._key_in(header)
        except exceptions.AuthenticationFailed as malformed:
            return None, None, malformed
        prefix = lookup_prefix_of(raw_key)
        if prefix is None:
            return raw_key, None, exceptions.AuthenticationFailed("Malformed API key")
        return raw_key, prefix, None

    def _key_in(self, header: bytes) -> str:
        try:
            parts = header.decode("ascii").split()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Malformed Authorization header") from None
        if len(parts) != 2 or parts[0].lower() != self.keyword.lower():
            raise exceptions.AuthenticationFailed("Authorization header must be 'Bearer beel_sk_<key>'")
        return parts[1]

    def _authenticate(self, presented_hash: str, prefix: str, generation: bytes | None, generation_known: bool):
        api_key = keycache.copy_of(prefix, generation) if generation_known else None
        if api_key is not None and _refusal_of(api_key, presented_hash) is not None:
            # A refusal is always the database's word: answered from the copy, a wrong secret for a key in use
            # would skip the read an unknown prefix costs, and its quicker 401 would tell which prefixes are in
            # use (issue 26; measured in docs/performance.md). Only a request the copy authenticates skips it.
            api_key = None
        copied = api_key is not None
        if not copied:
            api_key = APIKey.objects.select_related("account").filter(prefix=prefix).first()
        refusal = _refusal_of(api_key, presented_hash)
        if refusal is not None:
            raise refusal
        if generation_known and not copied:
            keycache.remember(prefix, generation, api_key)
        api_key.touch()
        return api_key.account, api_key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
