// A person signing in through the company's OpenID provider from a
// browser: headless Chromium opens Tertulia's sign-in page, presses
// "Sign in with <provider> and allow", signs in and consents on the
// provider's pages; the app's callback receives the code.
// Usage: node browser_company_sign_in.mjs AUTHORIZE_URL CALLBACK_PREFIX PROVIDER_NAME LOGIN
import { launchChromium } from "./chromium.mjs";

const [authorizeUrl, callbackPrefix, providerName, login] = process.argv.slice(2);
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
  await page.getByRole("button", { name: `Sign in with ${providerName} and allow` }).click();
  // oidc-provider's development sign-in and consent pages.
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any password");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
  for (let waited = 0; callback === null && waited < 15000; waited += 100) {
    await page.waitForTimeout(100);
  }
  if (callback === null) throw new Error(`no redirect to the callback; page shows: ${await page.content()}`);
  console.log(callback);
} finally {
  await browser.close();
}
