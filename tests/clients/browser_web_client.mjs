// Drives the web client of web_client/ in headless Chromium: opens its
// page, signs in on Tertulia's page when sent there, and prints what the
// client found (window.__result) as JSON once it is back on its callback.
// Usage: node browser_web_client.mjs PAGE_URL SERVER_URL LOGIN PASSWORD
import { launchChromium, signIn } from "./chromium.mjs";

const TIMEOUT_MS = 30_000;
const [pageUrl, serverUrl, login, password] = process.argv.slice(2);

// The client's outcome, or undefined while it is still working (or while
// the page is being replaced by the next one).
const outcome = (page) => page.evaluate(() => window.__result).catch(() => undefined);

// Waits until the browser is at a URL starting with `prefix`, or the client
// gave up on its own page.
async function arriveAt(page, prefix) {
  for (const deadline = Date.now() + TIMEOUT_MS; Date.now() < deadline;) {
    if (page.url().startsWith(prefix)) return;
    const result = await outcome(page);
    if (result) return result;
    await page.waitForTimeout(50);
  }
  throw new Error(`not at ${prefix} after ${TIMEOUT_MS} ms; at ${page.url()}`);
}

const browser = await launchChromium();
try {
  const page = await browser.newPage();
  page.on("console", (message) => console.error(`console.${message.type()}: ${message.text()}`));
  page.on("pageerror", (error) => console.error(`page error: ${error}`));
  page.on("requestfailed", (request) =>
    console.error(`request failed: ${request.method()} ${request.url()}: ${request.failure()?.errorText}`));
  await page.goto(pageUrl, { timeout: TIMEOUT_MS });
  let result = await arriveAt(page, `${serverUrl}/oauth/authorize`);
  if (!result) {
    await signIn(page, login, password);
    result = await arriveAt(page, new URL("callback.html", pageUrl).href);
  }
  for (const deadline = Date.now() + TIMEOUT_MS; !result && Date.now() < deadline;) {
    await page.waitForTimeout(50);
    result = await outcome(page);
  }
  console.log(JSON.stringify(result ?? { ok: false, error: `no outcome after ${TIMEOUT_MS} ms at ${page.url()}` }));
} finally {
  await browser.close();
}
