"""What the API does to a request before its view runs, in one place and in this order
(RequestPipeline.initial):

1. identify the API key (this process's copy of it, or the database), behind the limit on failed
   authentications per client address: 401, or 429 for an address past its failures;
2. check the key's scopes for the view's action: 403;
3. check and record the key's rate limits: 429; their state goes out as RateLimit headers on the answer.

One round trip to Redis per request: with a copy of the key in this process, step 3 is decided in the
round trip of step 1 (the failed-authentication log, the key's generation and both limits, by one Lua
script; see docs/performance.md), but only for a request the copy authenticates and the scopes let
through, so that, as when step 3 follows steps 1 and 2, neither a 401 nor a 403 is counted. Should the
copy turn out stale and the key now refused, the request was counted against that key.

Steps 1 and 2 are DRF's plug-ins, REST_FRAMEWORK's authentication and permission classes (from which the
schema describes each operation's security): the authentication identifies the key
(`identify(request, limits_along)`), each permission says why it would refuse a key without raising
(`refusal(api_key, request, view)`), as apikeys.authentication and apikeys.permissions do."""

from rest_framework.exceptions import APIException

from beel.api import throttling
from beel.api.filters import undeclared_parameters
from beel.db import replicas
from beel.errors import InvalidParameter


class RequestPipeline:
    """For the API's viewsets: DRF's `initial()` with its authentication, permissions and throttles
    replaced by the three steps above."""

    rate_limit: throttling.RateLimitState | None = None
    # Action -> the query parameters it reads. An action reads none unless it is listed here (or the view says
    # otherwise in `accepts_query_parameter`, as a list does from its filters): any other parameter is a 400
    # naming it, on every route (BeeL 1.9.0; its flat aliases since 2026-09-03). Ignored, a misspelt filter or a
    # generated client's flattened `?plan=pro` would be answered as if it were absent.
    declared_query_parameters: dict[str, frozenset[str]] = {}

    def initial(self, request, *args, **kwargs):
        # DRF's own preparation first (format suffix, content negotiation, version), then the pipeline.
        self.format_kwarg = self.get_format_suffix(**kwargs)
        request.accepted_renderer, request.accepted_media_type = self.perform_content_negotiation(request)
        request.version, request.versioning_scheme = self.determine_version(request, *args, **kwargs)
        identity = self.identify(request)
        self.check_permissions(request)
        self.check_rate_limits(request, identity)
        self.check_query_parameters(request)
        self.choose_the_database(request)

    def choose_the_database(self, request) -> None:
        """Read replicas (beel.db.replicas): a key's safe request reads from a fit replica, once the key is
        known (its own last write must be there); what it writes is remembered for its next reads."""
        if request.auth is None:
            return
        replicas.acting_for(f"key:{request.auth.pk}")
        if request.method in replicas.SAFE_METHODS:
            replicas.read_from_a_replica()

    def accepts_query_parameter(self, name: str) -> bool:
        return name in self.declared_query_parameters.get(self.action, ())

    def check_query_parameters(self, request) -> None:
        if getattr(self, "action", None) is None or request.method == "OPTIONS":
            return  # a method the view does not answer (OPTIONS: no metadata): its 405, whatever the query says
        refuse_undeclared_parameters(request.query_params, self.accepts_query_parameter)

    def identify(self, request):
        authenticator = request.authenticators[0]
        try:
            identity = authenticator.identify(
                request, limits_along=lambda copied_key: self.limits_along(request, copied_key)
            )
        except APIException:
            _record_identity(request, None, None)
            raise
        _record_identity(request, authenticator, identity)
        return identity

    def limits_along(self, request, copied_key) -> list[throttling.Limit]:
        """The limits to check in the identification's round trip: the key's, unless the scopes would
        refuse the request."""
        for permission in self.get_permissions():
            refusal = getattr(permission, "refusal", None)
            # A permission that cannot say ahead whether it refuses: the limits are checked after it decides.
            if refusal is None or refusal(copied_key, request, self) is not None:
                return []
        return throttling.key_limits(copied_key.prefix, self)

    def check_rate_limits(self, request, identity) -> None:
        if identity is None:
            return  # refused by the permissions, unless the view is public: nothing to count against
        if identity.limits_checked:
            decision = identity.limits
        else:
            decision = throttling.check(throttling.key_limits(identity.api_key.prefix, self))
        if decision is None:
            return  # the counters cannot be reached: served without limits
        self.rate_limit = decision.tightest
        if not decision.allowed:
            self.throttled(request, decision.retry_after)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.rate_limit is not None:
            for header, value in self.rate_limit.headers().items():
                response[header] = value
        return response


def refuse_undeclared_parameters(query_params, accepts) -> None:
    """A 400 naming every parameter of `query_params` that `accepts(name)` does not take. `format` (DRF's
    override of the Accept header) is taken everywhere."""
    unknown = undeclared_parameters(query_params, accepts)
    if unknown:
        raise InvalidParameter(details=unknown)


def _record_identity(request, authenticator, identity) -> None:
    # What DRF's Request records after its own authentication: with it, nothing that later reads
    # request.user or request.successful_authenticator runs the authentication a second time.
    request._authenticator = authenticator if identity is not None else None
    if identity is None:
        request.user, request.auth = None, None
    else:
        request.user, request.auth = identity.account, identity.api_key
