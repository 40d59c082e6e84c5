from rest_framework import exceptions, permissions

from apikeys.models import APIKey


class HasRequiredScope(permissions.BasePermission):
    """The view names the scope each action needs in `required_scopes` ({action or HTTP method: scope});
    an authenticated key without it is refused with 403 naming the scope. An action the view forgot to
    map is closed, not open."""

    def has_permission(self, request, view) -> bool:
        api_key = request.auth
        if not isinstance(api_key, APIKey):
            raise exceptions.NotAuthenticated()
        required = self.required_scope(request, view)
        if required is None:
            return True
        if not api_key.grants(required):
            raise exceptions.PermissionDenied(f"This API key lacks the required scope: {required}")
        return True

    @staticmethod
    def required_scope(request, view) -> str | None:
        if request.method == "OPTIONS":
            return None  # no metadata is served: the view answers 405 to any key
        mapping = getattr(view, "required_scopes", {})
        action = getattr(view, "action", None)
        scope = mapping.get(action) or mapping.get(request.method)
        if scope is not None:
            return scope
        if getattr(view, request.method.lower(), None) is None:
            return None  # no handler for this method: the view answers 405
        raise exceptions.PermissionDenied("This endpoint is not available to API keys")
