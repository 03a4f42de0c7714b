"""Groups, recognition and idea campaigns across two sites, each through
stock client libraries (Mastodon.py, and masto.js through
masto_communities.mjs): what issue 20 asks staff to do from the clients
they already have."""

import datetime
import shutil
import subprocess
from pathlib import Path

import pytest
import requests
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


def test_an_idea_from_another_site_gets_votes_and_its_author_hears_the_decision(sites, people):
    """An idea campaign on hq: ana on es posts an idea with its hashtag
    from Mastodon.py, gina on hq favourites it (her vote), and when a
    moderator on hq moves it on, ana's client shows the decision as a
    mention. The campaign's ranking is read through the extension API, as
    no stock client shows it."""
    hq, es = sites
    gina, ana = people["gina"], people["ana"]
    deadline = (datetime.date.today() + datetime.timedelta(days=7)).isoformat()
    hq.cli("admin", "campaign", "create", "travel_ideas", "--question", "How do we travel less?",
           "--deadline", deadline)
    # hq hears of ana's posts through gina's follow.
    follow_accepted(gina, found_on(gina, f"ana@{es.domain}")["id"])
    idea = ana.status_post("#travel_ideas Video first, flights second")

    def idea_on_hq():
        return next((s for s in gina.timeline_hashtag("travel_ideas") if s["uri"] == idea["uri"]), None)

    gina.status_favourite(eventually("ana's idea in hq's #travel_ideas timeline", idea_on_hq)["id"])

    def extension(token, method, path, **data):
        response = requests.request(method, f"{hq.base_url}/api/v1/tertulia/campaigns{path}", data=data,
                                    headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    [campaign] = [c for c in extension(gina.access_token, "GET", "") if c["tag"] == "travel_ideas"]
    [ranked] = extension(gina.access_token, "GET", f"/{campaign['id']}")["ideas"]
    assert (ranked["status"]["uri"], ranked["votes"], ranked["state"]) == (idea["uri"], 1, "new")

    moderator = signed_in(hq, "mona")
    hq.cli("admin", "user", "role", "mona", "moderator")
    extension(moderator.access_token, "POST", f"/{campaign['id']}/ideas/{ranked['status']['id']}/state",
              state="under_review")

    def decision():
        return next((n for n in ana.notifications(types=["mention"]) if "under review" in n["status"]["content"]),
                    None)

    told = eventually("the decision as a mention in ana's notifications", decision)
    assert told["status"]["in_reply_to_id"] == idea["id"], told
    assert "How do we travel less?" in told["status"]["content"]
