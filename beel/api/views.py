import functools
from typing import ClassVar

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from beel.actors import Actor
from beel.api.exceptions import EndpointNotFound
from beel.api.filters import accepted_by_list, validate_list_parameters
from beel.api.pipeline import RequestPipeline, refuse_undeclared_parameters
from beel.api.renderers import EnvelopeJSONRenderer
from beel.errors import InvalidParameter
from beel.idempotency.decorators import serve_idempotently
from beel.lists import Listing
from beel.tenancy import DataScope

ACTIVE_COMPANY_HEADER = "BeeL-Active-Company"


def actor_of(request) -> Actor:
    """Who is acting, as the services record it: the API key's public prefix, never its secret."""
    return Actor.api_key(request.auth)


class APIViewSet(RequestPipeline, viewsets.GenericViewSet):
    """Base for the API's viewsets: no OPTIONS metadata, rate-limit headers on every authenticated
    response, and paginated lists keyed by `results_key` (`{"customers": [...], "pagination": {...}}`)."""

    metadata_class = None
    # OPTIONS is answered 405 (there is no metadata to give), so the Allow header of every answer, a 405's
    # above all (RFC 9110, 15.5.6), must not offer it.
    http_method_names = [method for method in viewsets.GenericViewSet.http_method_names if method != "options"]
    results_key = "results"
    filterset_class = None
    # The actions that read the view's list: they take its paging's and its filters' query parameters (and
    # validate them with their values, validate_list_parameters); every other action takes those it declares
    # (RequestPipeline.declared_query_parameters), by default none.
    listing_actions = frozenset({"list"})

    def accepts_query_parameter(self, name: str) -> bool:
        if self.action in self.listing_actions:
            return accepted_by_list(self.filterset_class, name)
        return super().accepts_query_parameter(name)

    def check_query_parameters(self, request) -> None:
        try:
            super().check_query_parameters(request)
        except InvalidParameter:
            if self.action in self.listing_actions:
                # Named together with the list's other bad parameters, in one error.
                validate_list_parameters(self.filterset_of(request), request.query_params)
            raise

    def list(self, request):
        """The filtered, sorted page of the view's list, with its pagination figures: the parameters are
        validated once (filters and paging together), the app's selector reads, the paginator pages."""
        filterset = self.filterset_of(request)
        asked = validate_list_parameters(filterset, request.query_params)
        listing = self.read_list(filterset)
        rows = self.paginator.paginate_listing(listing, asked, request.query_params, walk_of=self.walk_of())
        return self.get_paginated_response(self.represent_rows(rows))

    def walk_of(self) -> str:
        """Whose list a cursor walks besides its filters: the request's account and mode, and its company for
        a view that acts on one. A cursor is refused for any other (beel.api.pagination)."""
        scope = self.data_scope()
        company = scope.company if self.acts_on_company else None
        return f"{scope.account.pk}:{scope.mode}:{'' if company is None else company.pk}"

    def filterset_of(self, request):
        """The view's filterset over the request's query string, not yet validated; None for a list without
        filters."""
        if self.filterset_class is None:
            return None
        return self.filterset_class(request.query_params, queryset=self.queryset, request=request)

    def read_list(self, filterset) -> Listing:
        """The app's list selector, called with the validated `filterset`'s values. A view without one lists
        `get_queryset()` in the order it gives, counting `total_items`."""
        return Listing.in_its_order(self.get_queryset())

    def represent_rows(self, rows) -> list:
        return self.get_serializer_class()(rows, many=True).data

    # The POST actions that ignore `Idempotency-Key`, each with its reason in a comment; every other POST is served
    # once per key (beel.idempotency). The schema leaves the header out of exactly these
    # (beel.api.schema.wrap_in_envelope), and tests/api/test_idempotency_routes.py replays every other one.
    actions_without_idempotency: frozenset[str] = frozenset()

    def dispatch(self, request, *args, **kwargs):
        # Here, not per handler, so that no POST can be added without it. `action_map` is the router's
        # method -> action of this route.
        handler = getattr(self, "post", None)
        action = getattr(self, "action_map", {}).get("post")
        if request.method == "POST" and handler is not None and action not in self.actions_without_idempotency:
            self.post = functools.partial(serve_idempotently, self, handler)
        return super().dispatch(request, *args, **kwargs)

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        # A download asked for with `Accept: text/csv` still answers its errors in the envelope.
        self.request.accepted_renderer = EnvelopeJSONRenderer()
        self.request.accepted_media_type = EnvelopeJSONRenderer.media_type
        return response

    # Whether the view acts on one company (customers, invoices): its company is then resolved before the
    # view runs, so a company the key cannot reach is refused (403) before anything else is read.
    acts_on_company = True
    _data_scope: DataScope | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Not for a method the view does not answer: that is its 405, whatever the company.
        answered = getattr(self, "action", None) is not None and request.method != "OPTIONS"
        if self.acts_on_company and request.auth is not None and answered:
            self.data_scope()

    def data_scope(self) -> DataScope:
        """What every query and use case of this request is confined to: one company of the key's account
        (the path's `company_id` on canonical routes, the `BeeL-Active-Company` header on flat ones), in the
        key's mode (a test key never sees live data, nor a live key test data). A view that does not act on a
        company (webhook endpoints) sees the key's whole account."""
        if not self.acts_on_company:
            return DataScope.of_account(self.request.user, self.request.auth.mode)
        if self._data_scope is None:
            self._data_scope = self.request.auth.data_scope(
                company_id=self.kwargs.get("company_id"),
                active_company=self.request.headers.get(ACTIVE_COMPANY_HEADER),
            )
        return self._data_scope

    @property
    def paginator(self):
        paginator = super().paginator
        if paginator is not None:
            paginator.results_key = self.results_key
        return paginator


@extend_schema(exclude=True)
class UnknownRouteView(APIView):
    """Any path under /api/ that no route claims: a 404 in the envelope for every method, with or without
    credentials (there is nothing here to protect)."""

    authentication_classes = []
    permission_classes = []
    metadata_class = None

    def dispatch_unknown(self, request, *args, **kwargs):
        raise EndpointNotFound()

    # Any other method too (TRACE, PROPFIND...): a 404, not a 405 offering methods the path does not answer.
    get = post = put = patch = delete = head = options = http_method_not_allowed = dispatch_unknown

    @property
    def default_response_headers(self) -> dict:
        """No Allow header: nothing is allowed at a path that does not exist (DRF's listed OPTIONS too)."""
        return {}


class PublicDocumentView:
    """The OpenAPI document and its interactive docs: public (they describe the API, they expose no account's
    data), they read `lang` (the language of the descriptions) besides `format`, and any other query parameter
    is a 400 naming it, as on every route. Their errors (e.g. 406 for an Accept they cannot serve) wear the
    envelope like every other error, not the YAML or HTML of their renderers."""

    authentication_classes = []
    permission_classes = []
    query_parameters = frozenset({"lang"})
    # No OPTIONS, as on every route (APIViewSet): DRF's metadata answer went through the docs' HTML renderer,
    # which has no template for it (a 500).
    metadata_class = None
    http_method_names = APIViewSet.http_method_names

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        refuse_undeclared_parameters(request.query_params, self.query_parameters.__contains__)

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer = EnvelopeJSONRenderer()
        self.request.accepted_media_type = EnvelopeJSONRenderer.media_type
        return response


class SchemaView(PublicDocumentView, SpectacularAPIView):
    """The OpenAPI document (GET /api/v1/schema)."""

    # The document only changes with a deploy, but generating and rendering it costs ~300 ms: each
    # rendering (per format and language) is kept for the life of the process, and clients may keep it
    # for an hour.
    rendered: ClassVar[dict[tuple[str, str], tuple[bytes, str]]] = {}
    CACHE_CONTROL = "public, max-age=3600"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        media_type = self.perform_content_negotiation(request)[1]
        cached = self.rendered.get((media_type, request.GET.get("lang", "")))
        if cached is not None:
            content, content_type = cached
            return HttpResponse(content, content_type=content_type, headers={"Cache-Control": self.CACHE_CONTROL})
        return super().get(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and response.status_code == 200:
            response["Cache-Control"] = self.CACHE_CONTROL
            response.render()
            key = (request.accepted_media_type, request.GET.get("lang", ""))
            self.rendered[key] = (response.content, response["Content-Type"])
        return response


class DocsView(PublicDocumentView, SpectacularSwaggerView):
    """The interactive docs (GET /api/docs), Swagger UI over the schema."""
