import pytest


@pytest.mark.django_db
def test_a_cui_deployment_marks_the_top_and_bottom_of_every_page(client, settings, people):
    settings.SOSA_CUI_BANNER = "CUI"
    page = client.get("/accounts/login/").content.decode()
    assert page.count('class="cui-banner') == 2
    client.force_login(people.requester_in)
    assert client.get("/requests/").content.decode().count(">CUI</div>") == 2


@pytest.mark.django_db
def test_without_the_setting_there_is_no_banner(client, settings):
    settings.SOSA_CUI_BANNER = ""
    assert "cui-banner" not in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_pages_use_only_self_hosted_assets(client, people):
    client.force_login(people.requester_in)
    page = client.get("/requests/new/").content.decode()
    assert "/static/css/portal.css" in page and "/static/js/items-formset.js" in page
    assert "https://" not in page and "http://" not in page.replace("http://testserver", "")
