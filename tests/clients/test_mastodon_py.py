"""Mastodon.py, unchanged, against a live Tertulia: the sign-in flow a
script or bot uses, then the everyday calls."""

import re
import uuid

import pytest
import requests
from mastodon import Mastodon, MastodonNotFoundError, MastodonUnauthorizedError

from conftest import PASSWORD


def sign_in_with_browser_flow(server, email):
    """Mastodon.py's authorization-code flow, with requests playing the
    person who fills in the sign-in page."""
    client_id, client_secret = Mastodon.create_app(
        "Mastodon.py compat", api_base_url=server.base_url, scopes=["read", "write", "follow", "push"])
    app = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server.base_url)
    url = app.auth_request_url(scopes=["read", "write", "follow", "push"], allow_http=True)
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and "<form" in page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    fields.update({"login": email, "password": PASSWORD, "decision": "approve"})
    shown = requests.post(f"{server.base_url}/oauth/authorize", data=fields, timeout=10)
    code = re.search(r'<code id="code">([^<]+)</code>', shown.text).group(1)
    app.log_in(code=code, scopes=["read", "write", "follow", "push"], allow_http=True)
    return app


@pytest.fixture(scope="module")
def ana(server):
    return sign_in_with_browser_flow(server, server.create_user("ana"))


@pytest.fixture(scope="module")
def bruno(server):
    email = server.create_user("bruno")
    client_id, client_secret = Mastodon.create_app("Mastodon.py bot", api_base_url=server.base_url)
    bot = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server.base_url)
    bot.log_in(username=email, password=PASSWORD, allow_http=True)
    return bot


def test_instance_and_credentials(server, ana):
    instance = ana.instance()
    assert instance["domain"] == server.domain
    assert ana.account_verify_credentials()["username"] == "ana"


def test_post_read_and_act_across_accounts(ana, bruno):
    tag = "compat" + uuid.uuid4().hex[:6]
    bruno.account_follow(ana.me()["id"])
    status = ana.status_post(f"Hello from Mastodon.py #{tag}", visibility="public")
    assert tag in status["content"]

    home = bruno.timeline_home()
    assert any(s["id"] == status["id"] for s in home)
    tagged = bruno.timeline_hashtag(tag)
    assert [s["id"] for s in tagged] == [status["id"]]

    assert bruno.status_favourite(status["id"])["favourites_count"] == 1
    boost = bruno.status_reblog(status["id"])
    assert boost["reblog"]["id"] == status["id"]
    reply = bruno.status_post("@ana nice!", in_reply_to_id=status["id"])
    context = ana.status_context(status["id"])
    assert [s["id"] for s in context["descendants"]] == [reply["id"]]

    kinds = {n["type"] for n in ana.notifications()}
    assert {"follow", "favourite", "reblog", "mention"} <= kinds

    deleted = ana.status_delete(status["id"])
    assert "Hello from Mastodon.py" in deleted["text"]
    with pytest.raises(MastodonNotFoundError):
        bruno.status(status["id"])


def test_pagination_follows_link_headers(ana):
    for n in range(5):
        ana.status_post(f"page test {n}")
    first = ana.timeline_home(limit=2)
    second = ana.fetch_next(first)
    assert len(first) == 2 and len(second) == 2
    assert first[-1]["id"] > second[0]["id"]


def test_a_revoked_token_is_refused(server):
    email = server.create_user("carmen")
    client_id, client_secret = Mastodon.create_app("short-lived", api_base_url=server.base_url)
    app = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server.base_url)
    app.log_in(username=email, password=PASSWORD, allow_http=True)
    token = app.access_token
    app.revoke_access_token(allow_http=True)
    with pytest.raises(MastodonUnauthorizedError):
        Mastodon(access_token=token, api_base_url=server.base_url).account_verify_credentials()
