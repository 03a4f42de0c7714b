"""toot, the terminal client, unchanged, against a live Tertulia."""

import os
import re
import subprocess

import pytest

from conftest import PASSWORD

TOOT_TIMEOUT = 60


@pytest.fixture(scope="module")
def toot(server, tmp_path_factory):
    """Runs toot with its own config directory, signed in as `dana`."""
    config_home = tmp_path_factory.mktemp("toot-config")
    env = {**os.environ, "XDG_CONFIG_HOME": str(config_home)}
    email = server.create_user("dana")

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
    assert "@dana" in toot("whoami")
    assert server.domain in toot("instance")


def test_post_read_favourite_boost_and_delete(toot):
    posted = toot("post", "Hello from toot #terminal")
    status_id = re.search(r"/@dana/(\d+)", posted).group(1)
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
