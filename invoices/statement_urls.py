"""A customer's statement (docs/api.md, Receivables): on the flat and the canonical routes. Included in
beel/urls.py before customers.urls, whose detail routes would take `statement` for a customer's id."""

urlpatterns: list = []
