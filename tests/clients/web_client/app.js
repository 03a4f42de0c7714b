// A small web client, the way Elk or Phanpy work: a page from its own
// origin that talks to Tertulia on another origin with masto.js (bundled
// for the browser by esbuild in test_web_client.py). Every call is
// cross-origin, so each one needs Tertulia's CORS answers.
//
// index.html?server=URL registers an app and sends the browser to
// Tertulia's sign-in page (authorization code with PKCE); Tertulia sends it
// back to callback.html, which gets the token and uses the account. The
// outcome is left in window.__result for browser_web_client.mjs.
import { createOAuthAPIClient, createRestAPIClient, createStreamingAPIClient } from "masto";

const SCOPES = "read write follow";
const STREAM_TIMEOUT_MS = 10_000;

const here = new URL(location.href);

function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

// Step 1, on index.html: register the app and go to the sign-in page.
async function start() {
  const server = here.searchParams.get("server");
  const redirectUri = new URL("callback.html", here).href;
  const app = await createRestAPIClient({ url: server }).v1.apps.create({
    clientName: "Browser web client",
    redirectUris: redirectUri,
    scopes: SCOPES,
  });
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem("flow", JSON.stringify({
    server, redirectUri, state, verifier, clientId: app.clientId, clientSecret: app.clientSecret,
  }));
  const authorize = new URL("/oauth/authorize", server);
  authorize.search = new URLSearchParams({
    response_type: "code",
    client_id: app.clientId,
    redirect_uri: redirectUri,
    scope: SCOPES,
    state,
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: "S256",
  }).toString();
  location.assign(authorize.href);
}

// Keeps every post the stream sends, as a timeline would.
function collectUpdates(subscription) {
  const updates = [];
  (async () => {
    for await (const event of subscription) {
      if (event.event === "update") updates.push(event.payload);
    }
  })().catch((error) => updates.push({ error }));
  return updates;
}

// The first post received that `matches`, waiting at most `ms`; null if
// none came.
async function received(updates, matches, ms) {
  for (const deadline = Date.now() + ms; Date.now() < deadline;) {
    const failed = updates.find((update) => update.error);
    if (failed) throw failed.error;
    const found = updates.find(matches);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return null;
}

// Step 2, on callback.html: the token, then what a person does first.
async function finish() {
  const flow = JSON.parse(sessionStorage.getItem("flow"));
  check(here.searchParams.get("state") === flow.state, "the state comes back unchanged");
  const token = await createOAuthAPIClient({ url: flow.server }).token.create({
    grantType: "authorization_code",
    clientId: flow.clientId,
    clientSecret: flow.clientSecret,
    redirectUri: flow.redirectUri,
    code: here.searchParams.get("code"),
    codeVerifier: flow.verifier,
    scope: SCOPES,
  });
  const masto = createRestAPIClient({ url: flow.server, accessToken: token.accessToken });
  const me = await masto.v1.accounts.verifyCredentials();
  const firstHome = await masto.v1.timelines.home.list({ limit: 20 });

  // The streaming WebSocket as a browser opens it: the token goes in
  // Sec-WebSocket-Protocol (masto.js's default), as no header can be set.
  const instance = await masto.v2.instance.fetch();
  const streaming = createStreamingAPIClient({
    streamingApiUrl: instance.configuration.urls.streaming,
    accessToken: token.accessToken,
    retry: false,
  });
  const updates = collectUpdates(streaming.user.subscribe());
  // Mastodon never acknowledges a subscription: post until one of the
  // posts comes back, so the stream is known to be live, within the limit.
  const pings = new Set();
  const started = Date.now();
  let live = null;
  while (live === null && Date.now() - started < STREAM_TIMEOUT_MS) {
    const ping = await masto.v1.statuses.create({ status: `Checking the stream ${pings.size}`, visibility: "public" });
    pings.add(ping.id);
    live = await received(updates, (status) => pings.has(status.id), 1000);
  }
  check(live !== null, `no post came back on the stream within ${STREAM_TIMEOUT_MS} ms`);

  // A post with a picture, uploaded from the page, arrives live.
  const picture = await (await fetch("red.png")).blob();
  const media = await masto.v2.media.create({ file: picture, description: "A red square" });
  const post = await masto.v1.statuses.create({
    status: "Posted from a web client on another site",
    mediaIds: [media.id],
    visibility: "public",
  });
  const streamed = await received(updates, (status) => status.id === post.id, STREAM_TIMEOUT_MS);
  check(streamed !== null, "the post with the picture arrives on the stream");
  check(streamed.mediaAttachments.length === 1, "the streamed post has its picture");
  streaming.close();

  // Paging follows the Link header, which the page can only read if it is
  // exposed: one post per page, newest first.
  const pages = [];
  for await (const page of masto.v1.timelines.home.list({ limit: 1 })) {
    pages.push(page.map((status) => status.id));
    if (pages.length === 3) break;
  }
  const notifications = await masto.v1.notifications.list();
  return {
    ok: true,
    username: me.username,
    firstHome: firstHome.map((status) => status.id),
    media: { id: media.id, type: media.type, url: media.url, description: media.description },
    post: post.id,
    streamed: streamed.id,
    pages,
    notifications: notifications.map((n) => ({ type: n.type, account: n.account.username, status: n.status?.id })),
  };
}

async function main() {
  if (here.pathname.endsWith("/callback.html")) {
    window.__result = await finish();
  } else {
    await start();
  }
}

main().catch((error) => {
  window.__result = { ok: false, error: `${error}`, stack: error?.stack ?? "" };
});
