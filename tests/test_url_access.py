"""Deny by default: walk every URL pattern and check that no role the map does not name gets an answer.

A URL added without an entry in config/access.py:URL_ROLES answers nobody; a URL answering a role the map does
not name fails here (manage.get.gov's test_url_auth, after 18F/tock).
"""

from __future__ import annotations

import re

import pytest
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

from config import access

SAMPLES = {"int": "1", "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000001"}


def _route_to_path(route: str) -> str:
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "str", "x"), route)


def _regex_to_path(regex: str) -> str:
    def group(m: re.Match) -> str:
        body = m.group(2)
        words = body.split("|")
        if all(re.fullmatch(r"[\w-]+", w) for w in words):
            return words[0]
        return "1"

    text = re.sub(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", group, regex)
    text = text.lstrip("^").rstrip("$").replace("\\Z", "")
    text = re.sub(r"\\(.)", r"\1", text)
    return re.sub(r"[?*+]", "", text)


def _pattern_path(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return _route_to_path(str(pattern._route))
    if isinstance(pattern, RegexPattern):
        return _regex_to_path(pattern._regex)
    return str(pattern)


def walk(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        path = prefix + _pattern_path(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry, path, ns)
        elif isinstance(entry, URLPattern):
            # The name the middleware sees: Django's view_name (for an unnamed pattern, the view's dotted path).
            try:
                name = resolve("/" + path).view_name
            except Resolver404:
                name = f"{namespace}{entry.name}" if entry.name else None
            yield "/" + path, name


ALL_URLS = sorted(set(walk()), key=lambda item: item[0])
ROLE_USERS = {
    access.PUBLIC: None,
    access.ENTERPRISE: "clerk_a",
    access.REVIEWER: "county_reviewer",
    access.PROVINCIAL: "provincial_staff",
    access.SUPERUSER: "superuser",
    access.SYSTEM: "review_system",  # signed in by session here: it still reaches nothing but its own API URL
}


def test_the_walk_finds_the_urls():
    names = {name for _path, name in ALL_URLS}
    assert {"healthz", "admin:index", "admin:projects_record_changelist", "api-schema"} <= names


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_no_url_answers_a_role_the_map_does_not_name(client, cast, role):
    if ROLE_USERS[role]:
        client.force_login(cast[ROLE_USERS[role]])
    leaks = []
    for path, name in ALL_URLS:
        if access.PUBLIC in access.roles_for(name) or role in access.roles_for(name):
            continue
        response = client.get(path)
        denied = response.status_code in (401, 403, 404, 405) or (
            response.status_code == 302 and role == access.PUBLIC and "login" in response["Location"]
        )
        if not denied:
            leaks.append(f"{path} ({name}) answered {response.status_code} to {role}")
    assert not leaks, "\n".join(leaks)


@pytest.mark.django_db
def test_officials_reach_the_admin_and_enterprises_do_not(client, cast):
    client.force_login(cast["county_reviewer"])
    assert client.get("/admin/").status_code == 200
    client.force_login(cast["clerk_a"])
    assert client.get("/admin/").status_code == 403


def test_unnamed_and_unknown_urls_are_denied():
    assert access.roles_for(None) == frozenset()
    assert access.roles_for("no-such-view") == frozenset()
    assert access.roles_for("admin:projects_record_change") == access.OFFICIALS


def test_the_clerks_flow_pages_are_in_the_map_for_enterprises_only():
    """核对信息, 回执, 删除草稿 (issue 11 item 7): walked above, named in the map, enterprises only."""
    names = {name for _path, name in ALL_URLS}
    for name in ("portal:record_check", "portal:record_receipt", "portal:record_delete"):
        assert name in names
        assert name in access.URL_ROLES
        assert access.roles_for(name) == frozenset({access.ENTERPRISE})
