from rest_framework import exceptions, permissions

from apikeys.models import APIKey
from beel.errors import InsufficientScope


class HasRequiredScope(permissions.BasePermission):
    """The view names the scope each action needs in `required_scopes` ({action or HTTP method: scope});
    an authenticated key without it is refused with 403 naming the scope. An action the view forgot to
    map is closed, not open."""

    def has_permission(self, request, view) -> bool:
        refusal = self.refusal(request.auth, request, view)
        if refusal is not None:
            raise refusal
        return True

    def refusal(self, api_key, request, view) -> Exception | None:
        """Why this key may not make this request, or None if it may; the request pipeline also asks it for
        a key not yet authenticated (beel.api.pipeline)."""
        if not isinstance(api_key, APIKey):
            return exceptions.NotAuthenticated()
        try:
            required = self.required_scope(request, view)
        except exceptions.PermissionDenied as closed:
            return closed
        if required is not None and not api_key.grants(required):
            return InsufficientScope(required=[required], granted=list(api_key.scopes))
        return None

    @staticmethod
    def required_scope(request, view) -> str | None:
        if request.method == "OPTIONS":
            return None  # no metadata is served: the view answers 405 to any key
        mapping = getattr(view, "required_scopes", {})
        action = getattr(view, "action", None)
        if action in mapping and mapping[action] is None:
            return None  # an action any valid key may take, such as BeeL's getMyIdentity
        scope = mapping.get(action) or mapping.get(request.method)
        if scope is not None:
            return scope
        if getattr(view, request.method.lower(), None) is None:
            return None  # no handler for this method: the view answers 405
        raise exceptions.PermissionDenied("This endpoint is not available to API keys")
