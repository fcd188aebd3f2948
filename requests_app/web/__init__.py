"""The browser face (DESIGN §8): pages (one module per area, each exporting `urlpatterns`), their
forms and action forms, charts and the context processor. Reads go through `queries`, writes
through `services`; nothing here imports the API or DRF."""
