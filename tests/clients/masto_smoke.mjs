// masto.js, unchanged, against a live Tertulia: REST calls a web client
// makes. Run by test_masto_js.py with the server URL, two tokens and the
// path of a small PNG.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createRestAPIClient } from "masto";

const [url, accessToken, otherToken, pngPath] = process.argv.slice(2);
const masto = createRestAPIClient({ url, accessToken });
const other = createRestAPIClient({ url, accessToken: otherToken });

const me = await masto.v1.accounts.verifyCredentials();
assert.equal(me.username, "erin");
const instance = await masto.v2.instance.fetch();
assert.ok(instance.configuration.urls.streaming.startsWith("ws"));

const status = await masto.v1.statuses.create({ status: "Hello from masto.js #webclient", visibility: "public" });
assert.match(status.content, /webclient/);
const { id: otherId } = await other.v1.accounts.verifyCredentials();
await other.v1.accounts.$select(me.id).follow();
const home = await other.v1.timelines.home.list({ limit: 10 });
assert.ok(home.some((s) => s.id === status.id), "the follower's home timeline has the post");
const tagged = await masto.v1.timelines.tag.$select("webclient").list();
assert.deepEqual(tagged.map((s) => s.id), [status.id]);

// Media: a multipart upload to /api/v2/media, then a post that attaches it.
const file = new Blob([await readFile(pngPath)], { type: "image/png" });
const media = await masto.v2.media.create({ file, description: "a red square" });
assert.equal(media.type, "image");
assert.equal(media.description, "a red square");
for (const link of [media.url, media.previewUrl]) {
  const served = await fetch(link);
  assert.equal(served.status, 200, link);
  assert.match(served.headers.get("content-type"), /^image\//, link);
}
const pictured = await masto.v1.statuses.create({ status: "A red square #pictures", mediaIds: [media.id] });
assert.deepEqual(pictured.mediaAttachments.map((m) => m.id), [media.id]);
assert.deepEqual(pictured.tags.map((t) => t.name), ["pictures"]);

// Search (GET /api/v2/search): an account, a hashtag, words of a status.
const people = await other.v2.search.fetch({ q: "erin", type: "accounts" });
assert.ok(people.accounts.some((a) => a.id === me.id), "search finds the account");
const tags = await other.v2.search.fetch({ q: "#webclient", type: "hashtags" });
assert.deepEqual(tags.hashtags.map((t) => t.name), ["webclient"]);
const words = await other.v2.search.fetch({ q: "Hello from masto.js" });
assert.deepEqual(words.statuses.map((s) => s.id), [status.id]);

const faved = await other.v1.statuses.$select(status.id).favourite();
assert.equal(faved.favouritesCount, 1);
const boosted = await other.v1.statuses.$select(status.id).reblog();
assert.equal(boosted.reblog.id, status.id);
const reply = await other.v1.statuses.create({ status: "@erin replying", inReplyToId: status.id });
const context = await masto.v1.statuses.$select(status.id).context.fetch();
assert.deepEqual(context.descendants.map((s) => s.id), [reply.id]);

const notifications = await masto.v1.notifications.list();
const kinds = new Set(notifications.map((n) => n.type));
for (const kind of ["follow", "favourite", "reblog", "mention"]) assert.ok(kinds.has(kind), `notification ${kind}`);
const relationships = await other.v1.accounts.relationships.fetch({ id: [me.id] });
assert.equal(relationships[0].following, true);

// Paging with the async iterator follows the Link headers.
const seen = [];
for await (const page of masto.v1.accounts.$select(me.id).statuses.list({ limit: 1 })) {
  seen.push(...page.map((s) => s.id));
  if (seen.length >= 3) break;
}
assert.ok(seen.length >= 1);

await masto.v1.statuses.$select(status.id).remove();
await assert.rejects(other.v1.statuses.$select(status.id).fetch(), /not found/i);
assert.ok(otherId);
console.log("masto.js: all checks passed");
