import pytest

from sosa_portal import errors


@pytest.mark.django_db
def test_a_request_outside_your_view_is_a_finished_not_found_page(client, people, make_request):
    request = make_request("submitted")
    client.force_login(people.requester_gb)
    response = client.get(f"/requests/{request.reference}/")
    assert response.status_code == 404
    assert b"There is nothing here" in response.content
    assert request.reference.encode() not in response.content


def test_api_paths_get_json_errors_from_the_error_handlers(rf):
    request = rf.get("/api/v1/requests/%0A/rate/")
    assert errors.not_found(request).status_code == 404
    assert errors.not_found(request)["Content-Type"] == "application/json"
    assert errors.server_error(request).content.startswith(b'{"errors"')
    page = rf.get("/requests/XX/")
    assert errors.server_error(page)["Content-Type"].startswith("text/html")
