// masto.js, unchanged, reading a colleague's profile: the read-only "Kudos"
// field counts the recognitions received. Run by test_communities.py with
// the site's URL, a reader's token, the colleague's account id and the
// count expected.
import assert from "node:assert/strict";
import { createRestAPIClient } from "masto";

const [url, accessToken, accountId, expected] = process.argv.slice(2);
const masto = createRestAPIClient({ url, accessToken });

const account = await masto.v1.accounts.$select(accountId).fetch();
const kudos = account.fields.find((field) => field.name === "Kudos");
assert.ok(kudos, `a Kudos field among ${JSON.stringify(account.fields)}`);
assert.equal(kudos.value, expected);
assert.equal(kudos.verifiedAt, null);
console.log("all checks passed");
