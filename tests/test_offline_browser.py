"""The policy each page carries stops the browser itself from loading anything from outside.

Each spelling of an outside address that the output check refuses is here written straight
into a built page (as if the check had missed it, or someone edited the published files),
then opened in Chromium from disk and over nginx. With the page's Content-Security-Policy
not one request leaves the site; the same page without the policy does make the request,
which shows the test would notice a policy that did not work.
"""

from pathlib import Path

import pytest

from builder.build import build
from conftest import MINIMAL, copy_site
from servers import Watch, nginx
from test_hostile import OUTSIDE_FORMS

# A meta refresh navigates the page itself, which no policy can stop: the output check refuses it
# (test_hostile), and it is left out here. <template> contents are inert unless a script copies them.
RUNTIME_FORMS = {name: html for name, html in OUTSIDE_FORMS.items() if name != "meta-refresh"}
RUNTIME_FORMS.update({
    "inline-fetch": "<script>fetch('http://198.51.100.1/inline'); new Image().src = 'http://198.51.100.1/i.png';</script>",
    "event-handler": '<img alt="" src="missing.png" onerror="fetch(\'http://198.51.100.1/onerror\')">',
    "iframe-javascript": '<iframe title="x" src="javascript:fetch(\'http://198.51.100.1/js\')"></iframe>',
})
INERT_WITHOUT_SCRIPT = {"template-contents", "svg-use"}  # even without a policy, nothing is fetched
IN_HEAD = {"base", "preload-imagesrcset"}  # elements that act from the head, before the page's own links
# From file://, a file URL naming another machine (\\host\share) is the one address the browser's policy
# cannot tell from the book's own files ('self' there matches any file: URL): the output check refuses it.
FILE_HOST = {"unc-path"}


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    """The minimal book, plus one page per form, each a copy of a built page with the form written in."""
    root = tmp_path_factory.mktemp("hostile")
    site = root / "out"
    build(copy_site(MINIMAL, root / "book"), site)
    template = (site / "people/bob.html").read_text(encoding="utf-8")
    policy_end = template.index(">", template.index('http-equiv="Content-Security-Policy"')) + 1
    main_start = template.index(">", template.index('<main id="content"')) + 1
    for name, html in RUNTIME_FORMS.items():
        if name in IN_HEAD:
            page = template[:policy_end] + f"\n{html}" + template[policy_end:]
        else:
            page = template[:main_start] + f"\n{html}" + template[main_start:]
        (site / f"people/hostile-{name}.html").write_text(page, encoding="utf-8")
        without = "\n".join(line for line in page.splitlines() if "Content-Security-Policy" not in line)
        (site / f"people/unprotected-{name}.html").write_text(without, encoding="utf-8")
    return site


def outside_requests(browser, base: str, rel: str) -> list[str]:
    page = browser.new_page()
    watch = Watch(page, base)
    page.goto(base + rel)
    page.wait_for_timeout(400)
    page.close()
    return watch.outside


@pytest.mark.parametrize("form", sorted(RUNTIME_FORMS))
def test_no_form_reaches_outside_from_disk_or_over_http(browser, hostile_site: Path, tmp_path: Path, form: str):
    rel = f"people/hostile-{form}.html"
    from_disk = outside_requests(browser, hostile_site.resolve().as_uri() + "/", rel)
    assert from_disk == [] or (form in FILE_HOST and all(u.startswith("file://198.51.100.1/") for u in from_disk))
    with nginx(hostile_site, "/books/summit/", tmp_path / "nginx") as base:
        assert outside_requests(browser, base, rel) == []
        if form not in INERT_WITHOUT_SCRIPT:
            unprotected = outside_requests(browser, base, f"people/unprotected-{form}.html")
            assert any("198.51.100.1" in url for url in unprotected), unprotected
