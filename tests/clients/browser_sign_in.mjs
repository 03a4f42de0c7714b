// A person signing in from a browser: headless Chromium opens the OAuth
// sign-in page, fills the form the way a person would (by label) and
// presses the button; the app's callback receives the code.
// Usage: node browser_sign_in.mjs AUTHORIZE_URL CALLBACK_PREFIX LOGIN PASSWORD SCREENSHOT
import { launchChromium, signIn } from "./chromium.mjs";

const [authorizeUrl, callbackPrefix, login, password, screenshot] = process.argv.slice(2);
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  // The app's callback is not a real server: answer it here and keep the URL.
  let callback = null;
  await page.route(`${callbackPrefix}**`, (route) => {
    callback = route.request().url();
    return route.fulfill({ status: 200, contentType: "text/plain", body: "signed in" });
  });
  await page.goto(authorizeUrl, { timeout: 15000 });
  await signIn(page, login, password, screenshot);
  for (let waited = 0; callback === null && waited < 15000; waited += 100) {
    await page.waitForTimeout(100);
  }
  if (callback === null) throw new Error(`no redirect to the callback; page shows: ${await page.content()}`);
  console.log(callback);
} finally {
  await browser.close();
}
