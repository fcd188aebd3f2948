"""A request's comments and events come in pages (issue 15, point 8): the body stays a list,
oldest first, and `Link: <…>; rel="next"` names the next page while there is one."""

from __future__ import annotations

import re

import pytest

from requests_app import services

from .conftest import url


def walk(client, first: str) -> tuple[list[list[dict]], list[str]]:
    pages, links, address = [], [], first
    while address:
        response = client.get(address)
        assert response.status_code == 200, response.json()
        pages.append(response.json())
        link = response.get("Link", "")
        links.append(link)
        found = re.fullmatch(r'<http://testserver([^>]+)>; rel="next"', link)
        address = found.group(1) if found else ""
    return pages, links


def test_comments_come_in_pages_linked_oldest_first(api, people, make_request):
    target = make_request("submitted")
    for n in range(5):
        services.add_comment(target, by=people.liaison_us, body=f"Note {n}", visibility="shared")

    pages, links = walk(api("liaison_us"), url(target.reference, "comments") + "?page_size=2")

    assert [len(page) for page in pages] == [2, 2, 1]
    assert [c["body"] for page in pages for c in page] == [f"Note {n}" for n in range(5)]
    assert links[-1] == "" and all(links[:-1])


def test_events_come_in_pages_and_all_of_them_once(api, make_request):
    target = make_request("accepted")
    everything = api("liaison_us").get(url(target.reference, "events")).json()

    pages, _ = walk(api("liaison_us"), url(target.reference, "events") + "?page_size=3")

    assert [e["id"] for page in pages for e in page] == [e["id"] for e in everything]
    assert len(pages) == -(-len(everything) // 3)


@pytest.mark.parametrize(("param", "value"), [("cursor", "junk"), ("page_size", "0")])
def test_a_bad_page_parameter_is_a_400_naming_it(api, make_request, param, value):
    target = make_request("submitted")

    response = api("liaison_us").get(url(target.reference, "events"), {param: value})

    assert response.status_code == 400
    assert param in response.json()["errors"]
