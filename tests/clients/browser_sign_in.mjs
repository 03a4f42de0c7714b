// A person signing in from a browser: headless Chromium opens the OAuth
// sign-in page, fills the form the way a person would (by label) and
// presses the button; the app's callback receives the code.
// Usage: node browser_sign_in.mjs AUTHORIZE_URL CALLBACK_PREFIX LOGIN PASSWORD SCREENSHOT
import { chromium } from "playwright-core";

const [authorizeUrl, callbackPrefix, login, password, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  // The flags this machine needs: no sandbox as root, and no background
  // traffic to hosts that cannot be reached.
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  // The app's callback is not a real server: answer it here and keep the URL.
  let callback = null;
  await page.route(`${callbackPrefix}**`, (route) => {
    callback = route.request().url();
    return route.fulfill({ status: 200, contentType: "text/plain", body: "signed in" });
  });
  await page.goto(authorizeUrl, { timeout: 15000 });
  await page.getByLabel("Username or e-mail address").fill(login);
  await page.getByLabel("Password").fill(password);
  await page.screenshot({ path: screenshot });
  await page.getByRole("button", { name: "Sign in and allow" }).click();
  for (let waited = 0; callback === null && waited < 15000; waited += 100) {
    await page.waitForTimeout(100);
  }
  if (callback === null) throw new Error(`no redirect to the callback; page shows: ${await page.content()}`);
  console.log(callback);
} finally {
  await browser.close();
}
