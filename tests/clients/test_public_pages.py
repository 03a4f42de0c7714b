"""The public web pages (groups, events, campaigns, kudos) in a real browser (headless
Chromium driven by playwright-core), which enforces the
Content-Security-Policy: a reader without an account opens each page and
follows its links, with no console errors or policy violations."""

import os
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

from conftest import password_token

HERE = Path(__file__).parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="tests/run.sh installs Debian's chromium")
def test_a_reader_opens_the_groups_events_campaigns_and_kudos_pages(server, tmp_path):
    organiser = server.create_user("rosa")
    server.create_user("pablo")
    server.cli("admin", "group", "create", "choir", "--moderator", "rosa", "--display-name", "Office choir",
               "--rules", "Sing along.")
    headers = {"Authorization": f"Bearer {password_token(server, organiser, 'read write')}"}
    start = datetime.now(timezone.utc) + timedelta(days=1)
    event = requests.post(f"{server.base_url}/api/v1/tertulia/events", headers=headers, timeout=10, data={
        "name": "Choir rehearsal", "start_time": start.isoformat(), "end_time": (start + timedelta(hours=1)).isoformat(),
        "timezone": "America/Mexico_City", "location": "Room 2"})
    assert event.ok, event.text
    kudos = requests.post(f"{server.base_url}/api/v1/statuses", headers=headers, timeout=10,
                          data={"status": "#kudos @pablo for the sheet music"})
    assert kudos.ok, kudos.text
    server.cli("admin", "campaign", "create", "choir_ideas", "--question", "What should we sing?",
               "--deadline", (start + timedelta(days=7)).isoformat())
    idea = requests.post(f"{server.base_url}/api/v1/statuses", headers=headers, timeout=10,
                         data={"status": "#choir_ideas a carol medley"})
    assert idea.ok, idea.text

    screenshot = tmp_path / "kudos.png"
    result = subprocess.run([shutil.which("node") or "node", "browser_public_pages.mjs", server.base_url,
                             "choir", "pablo", "choir_ideas", str(screenshot)],
                            cwd=HERE, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert screenshot.stat().st_size > 1000, "the page rendered"
