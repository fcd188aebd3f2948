"""Static file names with DEBUG=0: collectstatic's hashed names (cacheable for a year) once its
manifest exists, the plain names before it has run.

Choosing the storage by whether the manifest exists (as settings once did) could never make
one: collectstatic itself then ran with the plain storage, which writes no manifest."""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    def url(self, name, force=False):
        if not self.hashed_files and not force:  # no manifest yet: WhiteNoise serves the sources
            return FileSystemStorage.url(self, name)
        return super().url(name, force)
