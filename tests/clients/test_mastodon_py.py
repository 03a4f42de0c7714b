"""Mastodon.py, unchanged, against a live Tertulia: the sign-in flow a
script or bot uses, then the everyday calls."""

import queue
import re
import threading
import uuid

import pytest
import requests
from mastodon import Mastodon, MastodonNotFoundError, MastodonUnauthorizedError, StreamListener

from conftest import PASSWORD

STREAM_TIMEOUT = 10


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


def test_media_upload_and_post_with_a_hashtag(ana, bruno, png_file):
    """media_post uploads a PNG (POST /api/v2/media), then status_post
    attaches it by id next to a hashtag; the tag timeline serves it back."""
    media = ana.media_post(str(png_file), mime_type="image/png", description="a red square")
    assert media["type"] == "image"
    assert media["description"] == "a red square"
    assert media["url"].startswith("http") and media["preview_url"].startswith("http")
    served = requests.get(media["url"], timeout=10)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/png"
    assert served.content.startswith(b"\x89PNG")  # the server may re-encode, as Mastodon does
    assert (media["meta"]["original"]["width"], media["meta"]["original"]["height"]) == (4, 3)
    assert requests.get(media["preview_url"], timeout=10).headers["content-type"].startswith("image/")

    tag = "pics" + uuid.uuid4().hex[:6]
    status = ana.status_post(f"A red square #{tag}", media_ids=[media["id"]], visibility="public")
    assert [m["id"] for m in status["media_attachments"]] == [media["id"]]
    assert [t["name"] for t in status["tags"]] == [tag]
    tagged = bruno.timeline_hashtag(tag)
    assert [s["id"] for s in tagged] == [status["id"]]
    assert tagged[0]["media_attachments"][0]["url"] == media["url"]


def test_search_v2_finds_accounts_hashtags_and_statuses(ana, bruno):
    """search_v2 (GET /api/v2/search) for an account, a hashtag and words
    of a public status."""
    tag = "findme" + uuid.uuid4().hex[:6]
    words = "marmalade" + uuid.uuid4().hex[:6]
    status = ana.status_post(f"Searching for {words} #{tag}", visibility="public")

    accounts = bruno.search_v2("ana", result_type="accounts")["accounts"]
    assert "ana" in [a["acct"] for a in accounts]
    hashtags = bruno.search_v2(f"#{tag}", result_type="hashtags")["hashtags"]
    assert [h["name"] for h in hashtags] == [tag]
    statuses = bruno.search_v2(words, result_type="statuses")["statuses"]
    assert [s["id"] for s in statuses] == [status["id"]]
    assert bruno.search_v2("nothing-matches-" + uuid.uuid4().hex)["statuses"] == []


def test_profile_fields_round_trip(ana, bruno):
    """account_update_credentials (PATCH /api/v1/accounts/update_credentials)
    with profile fields; they come back to the owner and to others."""
    updated = ana.account_update_credentials(
        note="Runs the help desk", fields=[("Team", "IT operations"), ("Desk", "Building 2")])
    assert [(f["name"], f["value"]) for f in updated["fields"]] == [("Team", "IT operations"), ("Desk", "Building 2")]
    assert [(f["name"], f["value"]) for f in updated["source"]["fields"]] == \
        [("Team", "IT operations"), ("Desk", "Building 2")]
    assert "Runs the help desk" in updated["note"]
    seen = bruno.account(ana.me()["id"])
    assert [f["name"] for f in seen["fields"]] == ["Team", "Desk"]
    assert "IT operations" in seen["fields"][0]["value"]


def edits_are_supported(client):
    """Whether the server has PUT /api/v1/statuses/:id yet: a 404 for one's
    own, existing status means the route is missing."""
    probe = client.status_post("edit probe", visibility="private")
    answer = requests.put(f"{client.api_base_url}/api/v1/statuses/{probe['id']}", data={"status": "edit probe"},
                          headers={"Authorization": f"Bearer {client.access_token}"}, timeout=10)
    client.status_delete(probe["id"])
    return answer.status_code != 404


def test_edit_a_status(ana, bruno):
    """status_update (PUT /api/v1/statuses/:id) changes the text, sets
    edited_at, and status_history lists both versions."""
    if not edits_are_supported(ana):
        pytest.skip("the server answers 404 to PUT /api/v1/statuses/:id for an existing own status: "
                    "status edits are not implemented yet")
    status = ana.status_post("Meeting at 10", visibility="public")
    assert status["edited_at"] is None
    edited = ana.status_update(status["id"], "Meeting at 11")
    assert edited["id"] == status["id"]
    assert "Meeting at 11" in edited["content"]
    assert edited["edited_at"] is not None
    assert "Meeting at 11" in bruno.status(status["id"])["content"]
    history = ana.status_history(status["id"])
    assert ["Meeting at 10" in h["content"] for h in history] == [True, False]
    assert "Meeting at 11" in history[-1]["content"]


class UpdateCollector(StreamListener):
    """Collects `update` events; the first heartbeat tells that the server
    has accepted the stream."""

    def __init__(self):
        super().__init__()
        self.connected = threading.Event()
        self.updates = queue.Queue()

    def handle_heartbeat(self):
        self.connected.set()

    def on_update(self, status):
        self.updates.put(status)


def test_user_stream_receives_an_update(ana, bruno):
    """stream_user with run_async=True reads server-sent events
    (GET /api/v1/streaming/user) in a thread; a post by someone bruno
    follows arrives as an `update`."""
    bruno.account_follow(ana.me()["id"])
    listener = UpdateCollector()
    handle = bruno.stream_user(listener, run_async=True, timeout=STREAM_TIMEOUT)
    try:
        assert listener.connected.wait(STREAM_TIMEOUT), "no heartbeat from GET /api/v1/streaming/user"
        status = ana.status_post("Streaming hello " + uuid.uuid4().hex[:6], visibility="public")
        received = listener.updates.get(timeout=STREAM_TIMEOUT)
        while received["id"] != status["id"]:
            received = listener.updates.get(timeout=STREAM_TIMEOUT)
        assert received["account"]["acct"] == "ana"
        assert received["content"] == status["content"]
    finally:
        # close() returns when the thread's blocked read ends: at the read
        # timeout, as the server's next heartbeat is further away.
        handle.close()
        handle.join(STREAM_TIMEOUT)


def test_an_event_shows_as_a_status_with_its_time_and_place_and_in_a_valid_calendar(server, ana, bruno):
    """An event posted through Tertulia's extension API reaches a follower
    as a plain status that Mastodon.py reads with its date, time and place;
    the site's calendar feed parses with the `icalendar` library."""
    import datetime

    import icalendar

    bruno.account_follow(ana.me()["id"])
    start = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)).replace(
        hour=14, minute=0, second=0, microsecond=0)
    event = requests.post(f"{server.base_url}/api/v1/tertulia/events", timeout=10,
                          headers={"Authorization": f"Bearer {ana.access_token}"},
                          json={"name": "Offsite planning", "start_time": start.isoformat(),
                                "end_time": (start + datetime.timedelta(hours=1)).isoformat(),
                                "location": "Lisbon office, floor 2"})
    assert event.status_code == 200, event.text
    status = bruno.status(event.json()["id"])
    assert "Offsite planning" in status["content"]
    assert "Where: Lisbon office, floor 2" in status["content"]
    assert start.strftime("%-d %b %Y, 14:00") in status["content"]
    assert any(s["id"] == status["id"] for s in bruno.timeline_home())

    feed = requests.get(f"{server.base_url}/events.ics", timeout=10)
    assert feed.headers["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(feed.content)
    events = [c for c in calendar.walk("VEVENT") if str(c["UID"]) == status["uri"]]
    assert len(events) == 1
    assert str(events[0]["SUMMARY"]) == "Offsite planning"
    assert str(events[0]["LOCATION"]) == "Lisbon office, floor 2"
    assert events[0].decoded("DTSTART") == start
