"""Framework-only helpers: bulk SQL, SQL quoting, safe CSV, safe redirects, append-only models.

Nothing here imports an app of this project (import-linter checks it); each module has its test
under `tests/lib/`.
"""
