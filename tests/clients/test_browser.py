"""Sign-in from a real browser (headless Chromium driven by playwright-core):
the path every web and mobile client sends a person down."""

import base64
import hashlib
import os
import shutil
import subprocess
import urllib.parse
from pathlib import Path

import pytest
import requests

from conftest import PASSWORD

HERE = Path(__file__).parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CALLBACK = "http://localhost:9/callback"


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="tests/run.sh installs Debian's chromium")
def test_a_person_signs_in_with_pkce_from_a_browser(server, tmp_path):
    email = server.create_user("ines")
    app = requests.post(f"{server.base_url}/api/v1/apps", timeout=10, data={
        "client_name": "Browser app", "redirect_uris": CALLBACK, "scopes": "read write"}).json()
    verifier = base64.urlsafe_b64encode(os.urandom(40)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    authorize = f"{server.base_url}/oauth/authorize?" + urllib.parse.urlencode({
        "response_type": "code", "client_id": app["client_id"], "redirect_uri": CALLBACK,
        "scope": "read write", "state": "s-42", "code_challenge": challenge, "code_challenge_method": "S256"})

    screenshot = tmp_path / "sign-in.png"
    result = subprocess.run([shutil.which("node") or "node", "browser_sign_in.mjs", authorize, CALLBACK, email,
                             PASSWORD, str(screenshot)], cwd=HERE, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert screenshot.stat().st_size > 1000, "the page rendered"

    callback = urllib.parse.urlparse(result.stdout.strip().splitlines()[-1])
    params = urllib.parse.parse_qs(callback.query)
    assert params["state"] == ["s-42"]
    token = requests.post(f"{server.base_url}/oauth/token", timeout=10, data={
        "grant_type": "authorization_code", "client_id": app["client_id"], "code": params["code"][0],
        "redirect_uri": CALLBACK, "code_verifier": verifier}).json()
    me = requests.get(f"{server.base_url}/api/v1/accounts/verify_credentials", timeout=10,
                      headers={"Authorization": f"Bearer {token['access_token']}"}).json()
    assert me["username"] == "ines"
