from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from sosa_portal.lib.files import download


def test_a_stored_file_goes_out_as_a_download_under_its_own_name(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    stored = default_storage.save("attachments/abc", ContentFile(b"%PDF-1.4 test"))
    response = download(
        default_storage.open(stored), name="Purchase order.pdf", content_type="application/pdf"
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="Purchase order.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
