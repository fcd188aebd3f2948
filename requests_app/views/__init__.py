"""Browser pages, one module per area; each module exports `urlpatterns`."""
