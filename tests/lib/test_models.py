import pytest

from partners.models import AuditEntry, AuditKind

pytestmark = pytest.mark.django_db


def test_an_append_only_row_is_written_once_and_never_changed_or_deleted():
    entry = AuditEntry.objects.create(kind=AuditKind.SIGNED_IN, username="someone")
    with pytest.raises(TypeError, match="append-only"):
        entry.save()
    with pytest.raises(TypeError, match="append-only"):
        entry.delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.filter(pk=entry.pk).update(username="other")
    with pytest.raises(TypeError, match="append-only"):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).username == "someone"
