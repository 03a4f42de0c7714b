"""Sign-in from a real browser (headless Chromium driven by playwright-core):
the path every web and mobile client sends a person down, with a password
and through the company's OpenID provider."""

import base64
import hashlib
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest
import requests

from conftest import PASSWORD, Server, free_port

HERE = Path(__file__).parent
# The test OpenID provider (tests/oidc; tests/run.sh runs `npm ci` there).
OIDC_PROVIDER = Path(os.environ.get("TERTULIA_TEST_OIDC_PROVIDER", HERE.parent / "oidc"))
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


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="tests/run.sh installs Debian's chromium")
def test_a_person_signs_in_through_the_company_provider_from_a_browser(tmp_path):
    assert (OIDC_PROVIDER / "node_modules" / "oidc-provider").exists(), \
        f"the test OpenID provider is not installed: run `npm ci` in {OIDC_PROVIDER}"
    provider_port = free_port()
    server = Server({
        "TERTULIA_AUTH_OIDC_ISSUER": f"http://127.0.0.1:{provider_port}",
        "TERTULIA_AUTH_OIDC_NAME": "Contoso",
        "TERTULIA_AUTH_OIDC_CLIENT_ID": "tertulia",
        "TERTULIA_AUTH_OIDC_CLIENT_SECRET": "tertulia-test-secret",
    })
    people = tmp_path / "people.json"
    people.write_text(json.dumps({"lena": {
        "preferred_username": "lena", "name": "Lena Ruiz", "email": "lena@acme.example", "department": "Legal"}}))
    provider = subprocess.Popen(
        [shutil.which("node") or "node", "provider.mjs", str(provider_port),
         f"{server.base_url}/oauth/oidc/callback", str(people)],
        cwd=OIDC_PROVIDER, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while socket.socket().connect_ex(("127.0.0.1", provider_port)) != 0:
            assert time.monotonic() < deadline and provider.poll() is None, "the OpenID provider did not start"
            time.sleep(0.05)
        app = requests.post(f"{server.base_url}/api/v1/apps", timeout=10, data={
            "client_name": "Browser app", "redirect_uris": CALLBACK, "scopes": "read"}).json()
        authorize = f"{server.base_url}/oauth/authorize?" + urllib.parse.urlencode({
            "response_type": "code", "client_id": app["client_id"], "redirect_uri": CALLBACK,
            "scope": "read", "state": "s-43"})
        result = subprocess.run([shutil.which("node") or "node", "browser_company_sign_in.mjs", authorize, CALLBACK,
                                 "Contoso", "lena"], cwd=HERE, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr

        params = urllib.parse.parse_qs(urllib.parse.urlparse(result.stdout.strip().splitlines()[-1]).query)
        assert params["state"] == ["s-43"]
        token = requests.post(f"{server.base_url}/oauth/token", timeout=10, data={
            "grant_type": "authorization_code", "client_id": app["client_id"],
            "client_secret": app["client_secret"], "code": params["code"][0], "redirect_uri": CALLBACK}).json()
        me = requests.get(f"{server.base_url}/api/v1/accounts/verify_credentials", timeout=10,
                          headers={"Authorization": f"Bearer {token['access_token']}"}).json()
        assert (me["username"], me["display_name"]) == ("lena", "Lena Ruiz")
        assert me["source"]["fields"][0]["value"] == "Legal"
    finally:
        provider.terminate()
        provider.wait(timeout=10)
        server.stop()
