"""toot, the terminal client, unchanged, against a live Tertulia."""

import json
import os
import re
import subprocess

import pytest
import requests

from conftest import PASSWORD

TOOT_TIMEOUT = 60


@pytest.fixture(scope="module")
def toot(server, tmp_path_factory):
    """Runs toot with its own config directory, signed in as `toni`."""
    config_home = tmp_path_factory.mktemp("toot-config")
    env = {**os.environ, "XDG_CONFIG_HOME": str(config_home)}
    email = server.create_user("toni")

    def run(*args, stdin=None):
        result = subprocess.run(["toot", *args], env=env, input=stdin, capture_output=True, text=True,
                                timeout=TOOT_TIMEOUT)
        assert result.returncode == 0, f"toot {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    # login_cli reads the password from standard input when there is no terminal.
    out = run("login_cli", "-i", server.base_url, "-e", email, stdin=PASSWORD + "\n")
    assert "Successfully logged in" in out
    return run


def test_whoami_and_instance(toot, server):
    assert "@toni" in toot("whoami")
    assert server.domain in toot("instance")


def test_post_read_favourite_boost_and_delete(toot):
    posted = toot("post", "Hello from toot #terminal")
    status_id = re.search(r"/@toni/(\d+)", posted).group(1)
    assert "Hello from toot" in toot("timelines", "home", "--no-pager", "--no-clear")
    assert "Hello from toot" in toot("timelines", "tag", "terminal", "--no-pager", "--no-clear")
    toot("favourite", status_id)
    toot("reblog", status_id)
    toot("bookmark", status_id)
    assert "Hello from toot" in toot("bookmarks", "--once")
    toot("unreblog", status_id)
    reply = toot("post", "--reply-to", status_id, "a reply")
    assert "Toot posted" in reply
    assert "a reply" in toot("thread", status_id)
    toot("delete", status_id)
    assert "Hello from toot" not in toot("timelines", "home", "--no-pager", "--no-clear")


def test_upload_and_post_with_media(toot, png_file):
    """`toot upload` sends a file to POST /api/v2/media; `toot post --media`
    uploads and attaches it in one go."""
    uploaded = json.loads(toot("upload", "--json", "-d", "a red square", str(png_file)))
    assert uploaded["type"] == "image"
    assert uploaded["description"] == "a red square"
    assert requests.get(uploaded["url"], timeout=10).headers["content-type"].startswith("image/")

    posted = json.loads(toot("post", "--json", "--media", str(png_file), "-d", "another red square",
                             "A picture from toot #tootpics"))
    [attachment] = posted["media_attachments"]
    assert (attachment["type"], attachment["description"]) == ("image", "another red square")
    assert [t["name"] for t in posted["tags"]] == ["tootpics"]
    assert "A picture from toot" in toot("timelines", "tag", "tootpics", "--no-pager", "--no-clear")


def test_search(toot):
    """`toot search` (GET /api/v2/search) for an account, a hashtag and the
    words of a status."""
    posted = json.loads(toot("post", "--json", "Quarterly firewall review #netsec"))
    assert "@toni" in toot("search", "--type", "accounts", "toni")
    hashtags = json.loads(toot("search", "--json", "--type", "hashtags", "netsec"))["hashtags"]
    assert [h["name"] for h in hashtags] == ["netsec"]
    statuses = json.loads(toot("search", "--json", "--type", "statuses", "firewall review"))["statuses"]
    assert [s["id"] for s in statuses] == [posted["id"]]
    assert posted["id"] in toot("search", "firewall")  # toot lists a status by id and URL
