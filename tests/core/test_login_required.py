"""Every page requires login: walk every URL pattern of the project as an anonymous visitor."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Pages that must stay reachable without login.
PUBLIC = {"login", "set_language", "admin:login", "javascript-catalog"}
SAMPLE_KWARGS = {"int": "1", "str": "X", "slug": "x", "path": "x/y", "uuid": "00000000-0000-0000-0000-000000000000"}


def _walk(resolver, prefix="", namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else None, prefix + str(entry.pattern)


def _concrete(route: str) -> str:
    """Turn a route ('catalog/products/<int:pk>/' or an admin regex) into a sample path."""
    route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_KWARGS.get(m.group(1) or "str", "x"), route)
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)  # admin regex groups
    route = route.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + route


def all_routes():
    routes = []
    for name, route in _walk(get_resolver()):
        if name in PUBLIC:
            continue
        routes.append((name, _concrete(route)))
    return routes


def test_the_walk_finds_the_portal_pages():
    # given the project's URL configuration / when walked
    names = {name for name, _ in all_routes()}
    # then it covers the pages we know exist (so the walk itself is not broken)
    assert {"home", "catalog:index", "catalog:product-list", "catalog:product-detail"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), all_routes())
def test_anonymous_request_is_sent_to_login(client, name, path):
    # when an anonymous visitor asks for any page
    response = client.get(path)
    # then the API refuses with 401/403, every other page redirects to a login page
    if path.startswith("/api/"):
        assert response.status_code in (401, 403), (name, path, response.status_code)
    else:
        assert response.status_code == 302, (name, path, response.status_code)
        assert "login" in response["Location"], (name, path, response["Location"])
