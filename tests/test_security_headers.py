"""Content Security Policy and Permissions-Policy (issue 12, point 19): every page
and fragment is served under a policy with no inline script or style and no
framing, and no template needs either (the browser journeys run under it and fail
on any violation the browser reports)."""

import re

import pytest

from tests.conftest import client_for
from tests.test_privacy import app_urls, planted  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    re.compile(r"<style\b", re.I),
    re.compile(r"\sstyle=\"", re.I),
    re.compile(r"\son[a-z]+=\"", re.I),
    re.compile(r"javascript:", re.I),
]


def test_the_policy_allows_only_this_site_and_no_framing(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


TITLE = re.compile(r"<title>(.*?)</title>", re.S)


@pytest.mark.parametrize("persona", ["associate", "lead", "manager", "admin"])
def test_no_page_or_fragment_needs_inline_script_or_style(persona, cast, planted):  # noqa: F811
    client = client_for(cast[persona])
    found = []
    for url in app_urls(planted):
        for response in (client.get(url), client.get(url, HTTP_HX_REQUEST="true")):
            if "text/html" not in response.get("Content-Type", ""):
                continue
            assert "Content-Security-Policy" in response, url
            body = response.content.decode(errors="replace")
            found += [(url, p.pattern) for p in INLINE if p.search(body)]
            # A tag in <title> is not run, only shown as text in the browser's tab.
            found += [(url, "markup in <title>") for t in TITLE.findall(body) if "<" in t]
    assert found == []
