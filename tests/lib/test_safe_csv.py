import csv
import io

from sosa_portal.lib import safe_csv


def test_formula_like_cells_are_kept_as_text():
    for dangerous in ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\ry"):
        assert safe_csv.cell(dangerous) == "'" + dangerous
    assert safe_csv.cell("plain") == "plain"
    assert safe_csv.cell(None) == ""
    assert safe_csv.cell(42) == "42"


def test_a_streamed_response_is_an_attachment_whose_rows_read_back():
    response = safe_csv.streaming_response(["name", "note"], [["a", "=HYPERLINK()"]], "x.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    body = b"".join(response.streaming_content).decode()
    assert list(csv.reader(io.StringIO(body))) == [["name", "note"], ["a", "'=HYPERLINK()"]]
