import re

from django.contrib.staticfiles import finders
from django.urls import reverse
from drf_spectacular.validation import validate_schema


def test_the_schema_is_valid_openapi_with_the_paths(api, probation_officer):
    response = api(probation_officer).get(reverse("api-schema"), {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "IOMS offender case-management API"
    for path in [
        "/api/v1/offenders/",
        "/api/v1/offenders/search/",
        "/api/v1/offenders/{id}/flags/{flag_id}/end/",
        "/api/v1/sentences/{id}/complete/",
        "/api/v1/casenotes/{id}/amend/",
        "/api/v1/documents/{id}/pdf/",
        "/api/v1/allocations/{id}/end/",
        "/api/v1/staff/{id}/relocate/",
        "/api/v1/audit-events/",
    ]:
        assert path in schema["paths"]
    # Casenotes are append-only: no update or delete operation is offered.
    assert set(schema["paths"]["/api/v1/casenotes/{id}/"]) == {"get"}
    # Each choice set has one named component rather than a hash-named duplicate.
    assert "SentenceStatusEnum" in schema["components"]["schemas"]


def test_the_schema_needs_a_login(api):
    assert api().get(reverse("api-schema")).status_code in (401, 403)


def test_the_docs_page_sends_an_anonymous_browser_to_the_login_page(api):
    response = api().get(reverse("api-docs"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_docs_page_loads_nothing_from_other_hosts(api, probation_officer):
    response = api(probation_officer).get(reverse("api-docs"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="swagger-ui"' in html
    assert '<html lang="en-nz">' in html
    # What the page loads (scripts, style sheets, icons), not where its links lead.
    assets = re.findall(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="([^"]+)"', html)
    assert assets, "the page should load the Swagger UI from local static files"
    # Its start-up script comes from the page's own URL, not inline (Content-Security-Policy).
    start_up = f"{reverse('api-docs')}?script="
    assert start_up in assets
    for asset in assets:
        if asset == start_up:
            continue
        assert not asset.startswith(("http:", "https:", "//")), asset
        assert "cdn" not in asset.lower(), asset
        path = asset.split("?")[0].removeprefix("/static/")
        assert finders.find(path), f"{asset} is not a local static file"
    assert "cdn." not in html.lower()
    script = api(probation_officer).get(start_up)
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert reverse("api-schema") in script.content.decode()
    # Swagger UI would otherwise send the schema to validator.swagger.io for its badge.
    assert '"validatorUrl": null' in script.content.decode()


def test_every_operation_documents_the_errors_it_can_answer(api, probation_officer):
    """Issue 11: the error answers are published, from what each operation is."""
    paths = api(probation_officer).get(reverse("api-schema"), {"format": "json"}).json()["paths"]

    def codes(path, method):
        return set(paths[path][method]["responses"])

    assert codes("/api/v1/offenders/", "get") >= {"200", "400", "403", "404"}  # filters; a bad cursor
    assert codes("/api/v1/staff/{id}/relocate/", "post") >= {"200", "400", "403", "404"}
    assert "401" not in codes("/api/v1/offenders/", "get")  # a session has no challenge to send
    assert codes("/api/v1/court-messages/", "post") >= {"400", "401", "403"}
    assert "400" not in codes("/api/v1/casenotes/{id}/", "get")  # nothing to get wrong


def test_an_unknown_api_address_is_a_json_404_and_an_unknown_page_a_page(api, client, probation_officer):
    response = api(probation_officer).get("/api/v1/agencies/0.2/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}

    client.force_login(probation_officer)
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert "Page not found" in page.content.decode()
