"""masto.js (Node) against a live Tertulia, through masto_smoke.mjs (REST)
and masto_streaming.mjs (WebSocket streaming)."""

import shutil
import subprocess
from pathlib import Path

import pytest
from mastodon import Mastodon

from conftest import PASSWORD

HERE = Path(__file__).parent

pytestmark = pytest.mark.skipif(not (HERE / "node_modules" / "masto").exists(),
                                reason="tests/run.sh installs masto with npm")


def password_token(server, email):
    client_id, client_secret = Mastodon.create_app("masto.js compat", api_base_url=server.base_url)
    app = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server.base_url)
    return app.log_in(username=email, password=PASSWORD, allow_http=True)


def run_node(script, *args):
    """Runs a masto.js script; it prints 'all checks passed' at its end."""
    result = subprocess.run([shutil.which("node") or "node", script, *map(str, args)],
                            cwd=HERE, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all checks passed" in result.stdout


def test_masto_js_rest_client(server, png_file):
    """createRestAPIClient: post, timelines, media upload, search, actions,
    notifications, paging, delete."""
    erin = password_token(server, server.create_user("erin"))
    frank = password_token(server, server.create_user("frank"))
    run_node("masto_smoke.mjs", server.base_url, erin, frank, png_file)


def test_masto_js_streaming_client(server):
    """createStreamingAPIClient over WebSocket at the URL /api/v2/instance
    gives: a followed account's post arrives as an `update` on `user`."""
    gina = password_token(server, server.create_user("gina"))
    hugo_email = server.create_user("hugo")
    hugo = password_token(server, hugo_email)
    hugo_id = Mastodon(access_token=hugo, api_base_url=server.base_url).account_verify_credentials()["id"]
    Mastodon(access_token=gina, api_base_url=server.base_url).account_follow(hugo_id)
    run_node("masto_streaming.mjs", server.base_url, gina, hugo)
