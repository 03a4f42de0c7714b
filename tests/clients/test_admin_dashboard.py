"""The admin dashboard in a real browser (headless Chromium driven by
playwright-core), which enforces the Content-Security-Policy: a non-staff
person is refused, an admin opens reports and accounts and suspends an
account through the form, with no console errors or policy violations; the
admin API then shows the suspension and the audit log records it."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from conftest import PASSWORD, password_token

HERE = Path(__file__).parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="tests/run.sh installs Debian's chromium")
def test_an_admin_suspends_an_account_from_the_dashboard(server, tmp_path):
    server.cli("admin", "user", "create", "--username", "dana", "--email", "dana@acme.example",
               "--password-stdin", "--admin", stdin=PASSWORD + "\n")
    server.create_user("paco")
    server.create_user("spammer")

    screenshot = tmp_path / "dashboard.png"
    result = subprocess.run([shutil.which("node") or "node", "browser_admin_dashboard.mjs", server.base_url,
                             "dana@acme.example", "paco", PASSWORD, "spammer", str(screenshot)],
                            cwd=HERE, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert screenshot.stat().st_size > 1000, "the page rendered"

    headers = {"Authorization": f"Bearer {password_token(server, 'dana@acme.example', 'admin:read')}"}
    found = requests.get(f"{server.base_url}/api/v1/admin/accounts", params={"username": "spammer"},
                         headers=headers, timeout=10).json()
    assert [account["suspended"] for account in found] == [True], found
    log = requests.get(f"{server.base_url}/api/v1/admin/audit_log", headers=headers, timeout=10).json()
    assert (log[0]["actor"], log[0]["action"], log[0]["human_identifier"]) == ("dana", "suspend", "@spammer"), log
