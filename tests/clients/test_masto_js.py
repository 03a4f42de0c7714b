"""masto.js (Node) against a live Tertulia, through masto_smoke.mjs."""

import shutil
import subprocess
from pathlib import Path

import pytest
from mastodon import Mastodon

from conftest import PASSWORD

HERE = Path(__file__).parent


def password_token(server, email):
    client_id, client_secret = Mastodon.create_app("masto.js compat", api_base_url=server.base_url)
    app = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server.base_url)
    return app.log_in(username=email, password=PASSWORD, allow_http=True)


@pytest.mark.skipif(not (HERE / "node_modules" / "masto").exists(), reason="tests/run.sh installs masto with npm")
def test_masto_js_rest_client(server):
    erin = password_token(server, server.create_user("erin"))
    frank = password_token(server, server.create_user("frank"))
    result = subprocess.run([shutil.which("node") or "node", "masto_smoke.mjs", server.base_url, erin, frank],
                            cwd=HERE, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all checks passed" in result.stdout
