"""`briefing serve`: live reload in a real browser, the error overlay, safety, and a clean stop."""

import http.client
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from builder.serve.http import resolve_path
from builder.serve.watch import ContentFilter, is_editor_temp
from conftest import MINIMAL, REPO, copy_site
from servers import free_port, wait_for_port


@pytest.fixture
def server(tmp_path: Path):
    """Run `briefing serve` on a copy of the minimal book; yield (site, base URL, process)."""
    site = copy_site(MINIMAL, tmp_path / "site")
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "builder", "serve", "--port", str(port)],
                               cwd=site, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        wait_for_line(process, "Serving ")
        yield site, f"http://127.0.0.1:{port}/", process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=10)


def wait_for_line(process: subprocess.Popen, text: str, timeout: float = 60) -> None:
    """Read the server's output until a line contains text (it says so once it is ready)."""
    found = threading.Event()

    def read() -> None:
        for line in process.stdout:
            if text in line:
                found.set()
                return

    threading.Thread(target=read, daemon=True).start()
    if not found.wait(timeout):
        raise TimeoutError(f"the server never printed {text!r}")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_saved_changes_show_in_the_open_page_and_mistakes_show_as_an_overlay(browser, server):
    site, base, _ = server
    page = browser.new_page()
    page.goto(base + "issues/trade.html")
    points = page.locator("ol.points-to-make")
    assert "We buy your energy." in points.inner_text()

    page.wait_for_selector("figure.chart-live")
    page.evaluate("() => { document.querySelector('figure.chart-live').dataset.mark = 'drawn before'; }")

    trade = site / "content/issues/trade.yaml"
    edit(trade, "We buy your energy.", "We buy your LNG, at scale.")
    page.wait_for_function("() => document.querySelector('ol.points-to-make')"
                           ".textContent.includes('We buy your LNG, at scale.')", timeout=15_000)
    # the page was updated in place: the map, whose data did not change, was not drawn again
    assert page.evaluate("() => document.querySelector('figure.chart-live').dataset.mark") == "drawn before"

    edit(trade, "  - We buy your LNG, at scale.", "  - [a list by mistake]")
    overlay = page.locator("#briefing-errors")
    overlay.wait_for(state="visible", timeout=15_000)
    assert "content/issues/trade.yaml:17:5: points_to_make[1]: expected text, got a list" in overlay.inner_text()
    assert "We buy your LNG, at scale." in points.inner_text()  # the last good page stays beneath

    edit(trade, "  - [a list by mistake]", "  - We buy your energy, fixed.")
    page.wait_for_function("() => !document.getElementById('briefing-errors') && document.querySelector("
                           "'ol.points-to-make').textContent.includes('We buy your energy, fixed.')",
                           timeout=15_000)
    page.close()


def test_warnings_show_in_a_corner_panel_while_the_page_updates(browser, server):
    site, base, _ = server
    page = browser.new_page()
    page.goto(base + "issues/trade.html")
    edit(site / "content/issues/trade.yaml", "We buy your energy.", "We buy $5 bn of your energy.")
    page.wait_for_function("() => document.querySelector('ol.points-to-make')"
                           ".textContent.includes('We buy $5 bn of your energy.')", timeout=15_000)
    panel = page.locator("#briefing-warnings")
    panel.wait_for(state="attached", timeout=15_000)
    assert panel.locator("summary").inner_text().startswith("1 warning in the book")
    panel.locator("summary").click()
    assert ("content/issues/trade.yaml:17:12: warning: points_to_make[1]: figure '$5 bn' is written into the text "
            "without a source") in panel.inner_text()
    assert page.locator("#briefing-errors").count() == 0  # a warning does not cover the page
    edit(site / "content/issues/trade.yaml", "We buy $5 bn of your energy.", "We buy your energy.")
    page.wait_for_function("() => !document.getElementById('briefing-warnings')", timeout=15_000)
    page.close()


def test_a_changed_stylesheet_reloads_the_page(browser, server):
    site, base, _ = server
    page = browser.new_page()
    page.goto(base + "index.html")
    theme_css = (REPO / "templates/assets/style.css").read_text(encoding="utf-8")
    (site / "templates/assets").mkdir(parents=True)
    (site / "templates/assets/style.css").write_text(theme_css + "\nh1 { color: rgb(200, 0, 0); }\n")
    page.wait_for_function("() => getComputedStyle(document.querySelector('h1')).color === 'rgb(200, 0, 0)'",
                           timeout=15_000)
    page.close()


def test_a_page_opened_while_the_book_is_broken_shows_the_errors(browser, server):
    site, base, _ = server
    edit(site / "content/people/bob.yaml", "role: President", "role: [President]")
    page = browser.new_page()
    page.goto(base + "people/bob.html")
    overlay = page.locator("#briefing-errors")
    overlay.wait_for(state="visible", timeout=15_000)
    assert "content/people/bob.yaml:3:7: role: expected text, got a list" in overlay.inner_text()
    page.close()


def test_the_server_keeps_going_after_a_yaml_syntax_error_and_a_template_error(server):
    site, base, process = server
    edit(site / "content/issues/trade.yaml", "title: Trade", "title: [Trade")
    (site / "templates").mkdir()
    (site / "templates/person.html").write_text("{% extends 'base.html' %}{% block content %}{{ nope }}{% endblock %}")
    import time
    time.sleep(1.5)
    assert process.poll() is None
    assert get(base, "/index.html")[0] == 200


def get(base: str, raw_path: str, host_header: str | None = None) -> tuple[int, bytes]:
    """Send a request with the path exactly as given (no client-side normalisation)."""
    host, port = base.split("//")[1].rstrip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("GET", raw_path, skip_host=host_header is not None, skip_accept_encoding=True)
    if host_header is not None:
        connection.putheader("Host", host_header)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


@pytest.mark.parametrize("raw_path", [
    "/../site.yaml", "/%2e%2e/site.yaml", "/%2E%2E%2Fsite.yaml", "/..%2fsite.yaml", "/issues/../../site.yaml",
    "/%252e%252e/site.yaml", "//etc/passwd", "/%2fetc%2fpasswd", "/site.yaml", "/content/issues/trade.yaml",
    "/content/", "/..\\site.yaml", "/index.html%00.yaml",
])
def test_only_the_built_site_is_reachable(server, raw_path: str):
    _, base, _ = server
    status, body = get(base, raw_path)
    assert status == 404
    assert b"id: trade" not in body and b"root:" not in body


def test_pages_and_assets_are_served_with_the_live_script_only_in_html(server):
    _, base, _ = server
    status, html = get(base, "/")
    assert status == 200 and b"/__briefing/events" in html and b"Test summit briefing" in html
    status, css = get(base, "/assets/style.css")
    assert status == 200 and b"__briefing" not in css


def test_ctrl_c_stops_the_server_cleanly(server):
    site, base, process = server
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=10) == 0
    assert "Stopped." in process.stdout.read()
    assert sorted(p.name for p in site.iterdir()) == ["charts", "content", "site.yaml"]


def test_a_busy_port_is_a_clear_error(server, tmp_path: Path):
    _, base, _ = server
    port = base.rsplit(":", 1)[1].strip("/")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-m", "builder", "serve", "--port", port],
                            cwd=copy_site(MINIMAL, tmp_path / "other"), env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr


def test_listening_beyond_loopback_warns(tmp_path: Path):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, "-m", "builder", "serve", "--host", "0.0.0.0", "--port",
                                str(port)], cwd=copy_site(MINIMAL, tmp_path / "site"), env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for_port(port, timeout=60)
    process.send_signal(signal.SIGINT)
    process.wait(timeout=10)
    assert "warning: serving on 0.0.0.0 lets other machines on the network read this book" in process.stderr.read()


@pytest.mark.parametrize("name", ["trade.yaml~", ".trade.yaml.swp", "4913", ".#trade.yaml", "#trade.yaml#",
                                  "trade.yaml.tmp", ".~lock.investments.csv#"])
def test_editor_temporary_files_are_ignored(name: str):
    assert is_editor_temp(name)
    assert not ContentFilter()(1, f"/book/content/issues/{name}")


def test_content_files_are_watched():
    watch = ContentFilter()
    assert watch(1, "/book/content/issues/trade.yaml") and watch(2, "/book/site.yaml")
    assert not watch(1, "/book/.briefing-cache/charts/x.svg") and not watch(1, "/book/.git/index")


def test_request_paths_map_only_to_built_files():
    files = {"index.html": b"", "issues/index.html": b"", "issues/lng.html": b""}
    assert resolve_path("/", files) == "index.html"
    assert resolve_path("/issues/", files) == "issues/index.html"
    assert resolve_path("/issues/lng.html?x=1#top", files) == "issues/lng.html"
    assert resolve_path("/issues/../index.html", files) is None
    assert resolve_path("/nothing.html", files) is None


def test_only_requests_naming_the_server_are_answered(server):
    """A page elsewhere cannot read the preview through a name it points at this machine (DNS rebinding)."""
    _, base, _ = server
    port = base.rsplit(":", 1)[1].strip("/")
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        assert get(base, "/", host)[0] == 200
    for host in (f"attacker.example:{port}", f"127.0.0.1.nip.io:{port}", "attacker.example", f"127.0.0.1:{int(port) + 1}"):
        status, body = get(base, "/", host)
        assert status == 403 and b"Test summit" not in body, host


def wait_for(predicate, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the output never changed")
        time.sleep(0.05)


def test_build_watch_writes_every_save_and_keeps_the_last_good_build_through_a_mistake(tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "site")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "builder", "build", "--watch", "--out", str(out)], cwd=site,
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    page = out / "issues/defence.html"
    try:
        wait_for_line(process, "Watching ")
        assert "Our budget is at a record." in page.read_text(encoding="utf-8")
        paper = site / "content/issues/defence.yaml"
        edit(paper, "Our budget is at a record.", "Our budget is higher than ever.")
        wait_for(lambda: "Our budget is higher than ever." in page.read_text(encoding="utf-8"))
        edit(paper, "priority: medium", "priority: urgent")  # a mistake: the last good build stays
        edit(paper, "Our budget is higher than ever.", "Half-written point")
        wait_for_line(process, "keeps the last good build")
        assert "Our budget is higher than ever." in page.read_text(encoding="utf-8")
        edit(paper, "priority: urgent", "priority: high")
        wait_for(lambda: "Half-written point" in page.read_text(encoding="utf-8"))
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=20)
    assert code == 0
    assert "content/issues/defence.yaml:3:11: priority" in process.stderr.read()
    assert "Stopped." in process.stdout.read()


def test_build_watch_refuses_what_it_cannot_do(tmp_path: Path):
    site = copy_site(MINIMAL, tmp_path / "site")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-m", "builder", "build", "--watch", "--rev", "HEAD"], cwd=site,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "--watch builds the working tree" in result.stderr


def test_the_search_index_follows_each_save(server):
    """`serve` shows the edited page first and makes the search index just after: a reader who then
    searches finds the new words, and the index never goes missing in between."""
    from builder.targets.site.search import readable

    site, base, _ = server

    def served_search_text() -> str:
        status, index = get(base, "/search/index.js")
        assert status == 200  # never missing, even while the index is being made
        text = readable("search/index.js", index).decode("utf-8")
        for name in sorted(set(re.findall(r'"part":(\d+)', text))):
            status, part = get(base, f"/search/text-{name}-0.js")
            text += readable("search/x.js", part).decode("utf-8") if status == 200 else ""
        return text

    assert "Zanzibarian" not in served_search_text()
    edit(site / "content/issues/defence.yaml", "Our budget is at a record.", "Our Zanzibarian budget is at a record.")
    wait_for(lambda: b"Zanzibarian" in get(base, "/issues/defence.html")[1])
    wait_for(lambda: "Zanzibarian" in served_search_text(), timeout=10)
