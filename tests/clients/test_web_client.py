"""A web client on another site, in a real browser: headless Chromium loads
a page from its own origin (a static server on another loopback port) that
uses masto.js, bundled for the browser by esbuild, to talk to Tertulia.
Every call it makes is cross-origin, so this is what CORS is for; the sign-in
goes through Tertulia's own page in the same browser (authorization code
with PKCE)."""

import functools
import http.server
import json
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest
import requests

from conftest import PASSWORD, tiny_png

HERE = Path(__file__).parent
CHROMIUM = "/usr/bin/chromium"
ESBUILD = HERE / "node_modules" / ".bin" / "esbuild"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="tests/run.sh installs Debian's chromium"),
    pytest.mark.skipif(not ESBUILD.exists(), reason="tests/run.sh installs esbuild and masto with npm"),
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


@pytest.fixture
def web_client_site():
    """The web client's own site, built in a temporary directory deleted
    afterwards: its page, app.js bundled with masto.js, and a picture to
    upload. Served from 127.0.0.1 while Tertulia is at localhost: another
    origin."""
    with tempfile.TemporaryDirectory(prefix="tertulia-web-client-") as directory:
        yield from serve_site(Path(directory))


def serve_site(site):
    subprocess.run([str(ESBUILD), "web_client/app.js", "--bundle", "--format=esm", "--platform=browser",
                    f"--outfile={site / 'app.js'}", "--log-level=warning"],
                   cwd=HERE, check=True, timeout=60)
    for name in ("index.html", "callback.html"):
        shutil.copy(HERE / "web_client" / "index.html", site / name)
    (site / "red.png").write_bytes(tiny_png())
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                            functools.partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def password_token(server, email):
    app = requests.post(f"{server.base_url}/api/v1/apps", timeout=10, data={
        "client_name": "Another person's app", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
        "scopes": "read write follow"}).json()
    token = requests.post(f"{server.base_url}/oauth/token", timeout=10, data={
        "grant_type": "password", "client_id": app["client_id"], "client_secret": app["client_secret"],
        "username": email, "password": PASSWORD, "scope": "read write follow"}).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def test_a_web_client_on_another_site_signs_in_posts_streams_and_pages(server, web_client_site):
    email = server.create_user("carla")
    # Someone else follows and mentions her first, so she has notifications.
    bob = password_token(server, server.create_user("bob"))
    carla = requests.get(f"{server.base_url}/api/v1/accounts/lookup", params={"acct": "carla"},
                         headers=bob, timeout=10).json()
    assert requests.post(f"{server.base_url}/api/v1/accounts/{carla['id']}/follow", headers=bob,
                         timeout=10).ok
    assert requests.post(f"{server.base_url}/api/v1/statuses", headers=bob, timeout=10,
                         data={"status": "@carla welcome aboard"}).ok

    page = f"{web_client_site}/index.html?server={server.base_url}"
    run = subprocess.run([shutil.which("node") or "node", "browser_web_client.mjs", page, server.base_url, email,
                          PASSWORD], cwd=HERE, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["ok"], f"{result}\n{run.stderr}"

    assert result["username"] == "carla"
    assert result["streamed"] == result["post"], "the post with the picture came live on the stream"
    # Newest first, one post per page, and a second page: the page could
    # read the Link header.
    assert result["pages"][0] == [result["post"]], result["pages"]
    assert len(result["pages"]) >= 2 and len(result["pages"][1]) == 1, result["pages"]
    notifications = {(n["type"], n["account"]) for n in result["notifications"]}
    assert {("follow", "bob"), ("mention", "bob")} <= notifications, result["notifications"]

    # What the page did is really on the server.
    post = requests.get(f"{server.base_url}/api/v1/statuses/{result['post']}", timeout=10).json()
    assert post["account"]["username"] == "carla"
    assert [(m["id"], m["type"], m["description"]) for m in post["media_attachments"]] == [
        (result["media"]["id"], "image", "A red square")]
    picture = requests.get(post["media_attachments"][0]["url"], timeout=10)
    assert picture.ok and picture.headers["content-type"].startswith("image/")
