"""Web Push sent for real: a live Tertulia pushes notifications to a
stand-in push service (push_receiver.py) that decrypts each message with
`http_ece` and checks its VAPID signature with `cryptography`, so what is
proved is interoperability with independent implementations of RFC 8291,
8188 and 8292, not agreement with our own code."""

import time

import pytest
import requests

from conftest import PASSWORD, Server
from push_receiver import Receiver

ALL_ALERTS = ["mention", "status", "reblog", "follow", "follow_request", "favourite", "poll", "update"]


@pytest.fixture(scope="module")
def site():
    # Push endpoints are guarded like federation targets: the stand-in on
    # 127.0.0.1 is reachable only with private addresses allowed.
    running = Server(extra_env={"TERTULIA_FEDERATION_ALLOW_PRIVATE_ADDRESSES": "true"})
    yield running
    running.stop()


@pytest.fixture(scope="module")
def receiver():
    running = Receiver()
    yield running
    running.stop()


class User:
    def __init__(self, site, username):
        email = site.create_user(username)
        app = requests.post(f"{site.base_url}/api/v1/apps", timeout=10, data={
            "client_name": "push test", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
            "scopes": "read write follow push"}).json()
        self.token = requests.post(f"{site.base_url}/oauth/token", timeout=10, data={
            "grant_type": "password", "client_id": app["client_id"], "client_secret": app["client_secret"],
            "username": email, "password": PASSWORD, "scope": "read write follow push"}).json()["access_token"]
        self.site = site
        self.username = username
        self.id = self.get("/api/v1/accounts/verify_credentials").json()["id"]

    def request(self, method, path, **kwargs):
        return requests.request(method, f"{self.site.base_url}{path}", timeout=10,
                                headers={"Authorization": f"Bearer {self.token}"}, **kwargs)

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, json=None):
        response = self.request("POST", path, json=json or {})
        assert response.status_code == 200, response.text
        return response.json()

    def subscribe(self, subscriber, alerts, policy="all"):
        return self.post("/api/v1/push/subscription", {
            "subscription": {"endpoint": subscriber.endpoint,
                             "keys": {"p256dh": subscriber.p256dh, "auth": subscriber.auth_b64}},
            "data": {"alerts": {name: name in alerts for name in ALL_ALERTS}, "policy": policy},
        })

    def mention(self, other, text):
        return self.post("/api/v1/statuses", {"status": f"@{other.username} {text}"})

    def notification_ids(self):
        return [n["id"] for n in self.get("/api/v1/notifications").json()]


def test_a_mention_is_pushed_encrypted_and_signed_with_the_announced_key(site, receiver):
    ana, bruno = User(site, "ana"), User(site, "bruno")
    phone = receiver.subscriber("ana")
    subscription = ana.subscribe(phone, alerts=["mention"])
    announced = requests.get(f"{site.base_url}/api/v2/instance", timeout=10).json()["configuration"]["vapid"]
    assert subscription["server_key"] == announced["public_key"] != ""

    bruno.mention(ana, "the quarterly report is ready")
    [push] = receiver.wait_for(phone, 1)
    payload = push["payload"]
    assert payload["notification_type"] == "mention"
    assert payload["notification_id"] == ana.notification_ids()[0]
    assert payload["title"] == "bruno mentioned you"
    assert "the quarterly report is ready" in payload["body"]
    assert payload["icon"].startswith("http")
    assert payload["preferred_locale"]
    assert push["vapid_key"] == announced["public_key"], "signed with the key clients were given"
    assert 0 < push["ttl"] <= 48 * 3600
    assert push["urgency"] == "normal"

    # Favourites are not among ana's alerts: only the next mention arrives.
    ana_post = ana.post("/api/v1/statuses", {"status": "thanks"})
    bruno.post(f"/api/v1/statuses/{ana_post['id']}/favourite")
    bruno.mention(ana, "second")
    pushes = receiver.wait_for(phone, 2)
    assert [p["payload"]["notification_type"] for p in pushes] == ["mention", "mention"]
    assert "second" in pushes[1]["payload"]["body"]


def test_policy_followed_pushes_only_from_people_the_user_follows(site, receiver):
    carmen, dario = User(site, "carmen"), User(site, "dario")
    phone = receiver.subscriber("carmen")
    carmen.subscribe(phone, alerts=["mention", "follow"], policy="followed")
    dario.mention(carmen, "not followed yet")
    carmen.post(f"/api/v1/accounts/{dario.id}/follow")
    dario.mention(carmen, "now followed")
    [push] = receiver.wait_for(phone, 1)
    assert "now followed" in push["payload"]["body"]
    # The first mention was stored but never queued; had it been, it would
    # have come first.
    assert len(carmen.notification_ids()) == 2


def test_a_subscription_the_push_service_forgot_is_removed(site, receiver):
    erika, bruno = User(site, "erika"), User(site, "fede")
    old_phone = receiver.subscriber("erika", gone=True)
    erika.subscribe(old_phone, alerts=["mention"])
    bruno.mention(erika, "are you there?")
    receiver.wait_for(old_phone, 1)  # decrypted fine, then answered 410
    deadline = time.monotonic() + 20
    while erika.get("/api/v1/push/subscription").status_code != 404:
        assert time.monotonic() < deadline, "the subscription survived a 410"
        time.sleep(0.05)
