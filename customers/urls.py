from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from beel.routing import falling_through
from customers.company_deletion_views import CompanyCustomerDeletionViewSet
from customers.company_import_views import CompanyCustomerImportViewSet
from customers.company_views import CompanyCustomerViewSet, CustomerImportTemplateViewSet
from customers.export_views import CompanyCustomerExportViewSet, CustomerExportViewSet
from customers.views import CustomerViewSet, NifViewSet

router = SimpleRouter()
# The spec's paths have no trailing slash; accept one too rather than answer 404 to `/customers/`.
router.trailing_slash = "/?"
router.register("customers", CustomerViewSet, basename="customer")
router.register("nif", NifViewSet, basename="nif")
# BeeL 1.9.0's canonical routes (customers.company_views). A viewset serving other paths under
# `companies/{company_id}/customers/` (the imports) is registered before this one: the detail route would
# otherwise take `imports` for a customer id.
router.register(r"companies/(?P<company_id>[^/]+)/customers", CompanyCustomerViewSet, basename="company-customer")


def export_routes(prefix: str, viewset, name: str) -> list:
    """An export job's three routes (start, status, download), and no others: the router would add a GET of
    the collection (a list of jobs) that nothing serves."""
    return [
        re_path(rf"^{prefix}/?$", viewset.as_view({"post": "create"}), name=f"{name}-list"),
        re_path(rf"^{prefix}/(?P<export_id>[^/.]+)/?$", viewset.as_view({"get": "retrieve"}), name=f"{name}-detail"),
        re_path(
            rf"^{prefix}/(?P<export_id>[^/.]+)/download/?$",
            viewset.as_view({"get": "download"}, **viewset.download.kwargs),
            name=f"{name}-download",
        ),
    ]


# The export jobs before the router's routes: the customers' detail routes would take `exports` for an id.
urlpatterns = [
    *export_routes("customers/exports", CustomerExportViewSet, "customer-export"),
    *export_routes(
        r"companies/(?P<company_id>[^/]+)/customers/exports", CompanyCustomerExportViewSet, "company-customer-export"
    ),
    *router.urls,
    path(
        "templates/customer-import",
        CustomerImportTemplateViewSet.as_view({"get": "download"}),
        name="customer-import-template",
    ),
]

# BeeL 1.9.0's canonical deletion and imports (`/companies/{company_id}/customers/...`). They share paths with the
# other canonical customer operations (DELETE and GET/PATCH of one customer, DELETE and POST of `bulk`), so
# their views pass the methods they do not answer on to the routes after them (beel.routing); the imports come
# first, before any `customers/{customer_id}` route could take `imports` for an id. Keep this last.
COMPANY_CUSTOMERS = r"^companies/(?P<company_id>[^/]+)/customers"
deletion, imports = CompanyCustomerDeletionViewSet.as_view, CompanyCustomerImportViewSet.as_view
# The imports' paths are theirs alone (any other method is their own 405); the deletions share their paths with
# the canonical viewset's GET, PATCH and POST, to which the other methods fall through. `export` and `exports`
# are named routes, never a customer id to delete.
import_routes = [
    re_path(rf"{COMPANY_CUSTOMERS}/imports/?$", imports({"post": "create_import"}), name="company-customer-import"),
    re_path(
        rf"{COMPANY_CUSTOMERS}/imports/preview/?$",
        imports({"post": "preview_import"}),
        name="company-customer-import-preview",
    ),
]
deletion_routes = [
    re_path(rf"{COMPANY_CUSTOMERS}/bulk/?$", deletion({"delete": "bulk_delete"}), name="company-customer-bulk-delete"),
    re_path(
        rf"{COMPANY_CUSTOMERS}/(?P<customer_id>(?!exports?/?$)[^/.]+)/?$",
        deletion({"delete": "destroy"}),
        name="company-customer-delete",
    ),
]
urlpatterns = [*import_routes, *falling_through(deletion_routes, later=urlpatterns), *urlpatterns]
