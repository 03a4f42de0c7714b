// masto.js, unchanged, against a live Tertulia: the WebSocket streaming
// client a web client keeps open. Run by test_masto_js.py with the server
// URL, a token for the listener and a token for the poster, whom the
// listener follows.
import assert from "node:assert/strict";
import { createRestAPIClient, createStreamingAPIClient } from "masto";
import { WebSocket } from "ws";

// masto 8 targets Node 22, which has both of these built in; Node 20 has
// neither. masto reads WebSocket.OPEN from the global even when given an
// implementation.
Promise.withResolvers ??= () => {
  let resolve, reject;
  const promise = new Promise((yes, no) => [resolve, reject] = [yes, no]);
  return { promise, resolve, reject };
};
globalThis.WebSocket ??= WebSocket;

const TIMEOUT_MS = 10_000;
const [url, listenerToken, posterToken] = process.argv.slice(2);
const poster = createRestAPIClient({ url, accessToken: posterToken });
const instance = await createRestAPIClient({ url, accessToken: listenerToken }).v2.instance.fetch();
const streaming = createStreamingAPIClient({
  streamingApiUrl: instance.configuration.urls.streaming,
  accessToken: listenerToken,
  implementation: WebSocket,
  retry: false,
});

// Mastodon never acknowledges a subscription, so a post made right after
// subscribing may come before the server listens. Post again every second
// until an update for one of the posts arrives, or the time is up.
const posted = new Map();
const posting = setInterval(async () => {
  const status = await poster.v1.statuses.create({ status: `Streaming hello ${posted.size}`, visibility: "public" });
  posted.set(status.id, status);
}, 1000);
const timer = setTimeout(() => {
  console.error(`no update event within ${TIMEOUT_MS} ms for any of ${posted.size} posts`);
  process.exit(1);
}, TIMEOUT_MS);

const subscription = streaming.user.subscribe();
for await (const event of subscription) {
  if (event.event !== "update" || !posted.has(event.payload.id)) continue;
  const sent = posted.get(event.payload.id);
  assert.deepEqual(event.stream, ["user"]);
  assert.equal(event.payload.account.id, sent.account.id);
  assert.equal(event.payload.content, sent.content);
  break;
}
clearInterval(posting);
clearTimeout(timer);
streaming.close();
console.log("masto.js streaming: all checks passed");
