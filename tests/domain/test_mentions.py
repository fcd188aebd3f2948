"""A comment that names someone with "@username" sends them a notice (the notifications page's
"Mentions" filter), but only to a person who may read that comment, never to its author, and an
e-mail never carries the comment's words."""

import pytest

from requests_app import services
from requests_app.models import Notification
from requests_app.outbox.notices import render_email
from requests_app.services.notifications import mentioned_usernames

pytestmark = pytest.mark.django_db


def mentioned(request) -> set[str]:
    return set(
        Notification.objects.filter(request=request, kind="mention").values_list(
            "recipient__username", flat=True
        )
    )


def test_the_usernames_a_comment_names_each_once_but_not_an_email_address():
    text = "@reviewer.us and @liaison.us-gb, see mail@reviewer.us. Thanks @reviewer.us."
    assert mentioned_usernames(text) == ["reviewer.us", "liaison.us-gb"]
    assert mentioned_usernames("an @ alone, or email@host") == []


def test_a_shared_comment_tells_the_people_it_names_who_see_the_request(people, make_request):
    request = make_request("in_review")
    services.add_comment(
        request,
        by=people.liaison_us,
        body="@reviewer.us @requester.in @requester.gb @liaison.us @nobody please look",
    )
    # requester.gb cannot see an India–US request; liaison.us wrote it; nobody does not exist.
    assert mentioned(request) == {"reviewer.us", "requester.in"}
    notice = Notification.objects.get(
        request=request, kind="mention", recipient=people.requester_in
    )
    assert notice.payload["excerpt"].startswith("@reviewer.us @requester.in")
    assert notice.event.action == "comment"


def test_an_internal_comment_tells_only_the_officials_it_names(people, make_request):
    request = make_request("in_review")
    services.add_comment(
        request,
        by=people.liaison_us,
        body="@reviewer.us @requester.in between us: the rating is doubtful",
        visibility="internal",
    )
    assert mentioned(request) == {"reviewer.us"}


def test_a_mention_email_names_who_wrote_but_never_carries_the_words(people, make_request):
    request = make_request("in_review")
    services.add_comment(request, by=people.liaison_us, body="@reviewer.us the NSN is wrong")
    notice = Notification.objects.get(request=request, kind="mention")

    subject, text, html = render_email(notice)

    assert "Mentioned you" in subject and request.reference in subject
    assert "liaison.us mentioned you in a comment." in text
    for part in (subject, text, html):
        assert "NSN is wrong" not in part
