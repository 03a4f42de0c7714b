"""Groups and recognition across two sites, each through stock client
libraries (Mastodon.py, and masto.js through masto_communities.mjs): what
issue 20 asks staff to do from the clients they already have."""

import shutil
import subprocess
from pathlib import Path

import pytest
from mastodon import Mastodon

from conftest import PASSWORD, eventually

HERE = Path(__file__).parent


def signed_in(site, username):
    """A new person on `site`, signed in with Mastodon.py's password grant."""
    email = site.create_user(username)
    client_id, client_secret = Mastodon.create_app("Mastodon.py communities", api_base_url=site.base_url,
                                                   scopes=["read", "write", "follow"])
    client = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=site.base_url)
    client.log_in(username=email, password=PASSWORD, scopes=["read", "write", "follow"], allow_http=True)
    return client


def found_on(client, handle):
    """The account `handle` (`user@domain`) as the client's site knows it,
    fetched from its own site by search as a client does."""
    accounts = client.search_v2(f"@{handle}", resolve=True, result_type="accounts")["accounts"]
    assert [a["acct"] for a in accounts] == [handle], accounts
    return accounts[0]


def follow_accepted(client, account_id):
    client.account_follow(account_id)
    eventually("the follow accepted", lambda: client.account_relationships(account_id)[0]["following"])


@pytest.fixture(scope="module")
def people(sites):
    hq, es = sites
    return {"gina": signed_in(hq, "gina"), "carl": signed_in(hq, "carl"), "ana": signed_in(es, "ana")}


def test_a_member_on_another_site_joins_a_group_and_posts_to_it(sites, people):
    """A group on hq: ana on es finds it by search (an account with `group`
    true), joins by following, and posts by mentioning it; gina, a member
    on hq, sees the group's boost of the post in her home timeline."""
    hq, _ = sites
    gina, carl, ana = people["gina"], people["carl"], people["ana"]
    hq.cli("admin", "group", "create", "safety", "--display-name", "Safety at work",
           "--rules", "Be kind. No sales.", "--moderator", "gina")

    [group_on_hq] = gina.account_search("safety")
    assert group_on_hq["group"] is True and group_on_hq["display_name"] == "Safety at work"
    assert "No sales." in group_on_hq["note"]
    follow_accepted(gina, group_on_hq["id"])

    group_on_es = found_on(ana, f"safety@{hq.domain}")
    assert group_on_es["group"] is True, group_on_es
    follow_accepted(ana, group_on_es["id"])

    # Someone who has not joined mentions the group: it shares nothing.
    ignored = carl.status_post("@safety cheap gloves, DM me")
    post = ana.status_post(f"@safety@{hq.domain} The fire drill is at 11.")

    def boost_in_gina_home():
        return next((s for s in gina.timeline_home() if s["reblog"] and s["reblog"]["uri"] == post["uri"]), None)

    boost = eventually("the group's boost of ana's post in gina's home", boost_in_gina_home)
    assert boost["account"]["id"] == group_on_hq["id"] and boost["account"]["group"] is True
    assert "The fire drill is at 11." in boost["reblog"]["content"]
    assert boost["reblog"]["account"]["acct"] == f"ana@{sites[1].domain}"
    shared = [s["reblog"]["uri"] for s in gina.account_statuses(group_on_hq["id"]) if s["reblog"]]
    assert ignored["uri"] not in shared


def test_kudos_from_another_site_show_on_the_colleague_profile(sites, people):
    """`#kudos @gina@hq` from es: gina's profile on hq, read by Mastodon.py
    and by masto.js, carries the read-only field "Kudos" with the count."""
    hq, _ = sites
    gina, carl, ana = people["gina"], people["carl"], people["ana"]
    gina_on_es = found_on(ana, f"gina@{hq.domain}")
    ana.status_post(f"#kudos @gina@{hq.domain} thanks for running the fire drill")

    def kudos(account):
        return next((f["value"] for f in account["fields"] if f["name"] == "Kudos"), None)

    gina_id = gina.me()["id"]
    eventually("the Kudos field on gina's profile", lambda: kudos(carl.account(gina_id)) == "1")
    assert kudos(gina.account_verify_credentials()) == "1"
    # es knows only the recognitions it saw, not gina's whole count, so it
    # shows none rather than a wrong one.
    assert kudos(ana.account(gina_on_es["id"])) is None

    if not (HERE / "node_modules" / "masto").exists():
        pytest.skip("tests/run.sh installs masto with npm")
    result = subprocess.run([shutil.which("node") or "node", "masto_communities.mjs", hq.base_url,
                             carl.access_token, gina_id, "1"],
                            cwd=HERE, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "all checks passed" in result.stdout
