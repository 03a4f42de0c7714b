// What the browser tests share: Debian's Chromium started headless, what
// counts as a problem on a page, and a person filling in Tertulia's
// sign-in page.
import { chromium } from "playwright-core";

export async function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    // The flags this machine needs: no sandbox as root, and no background
    // traffic to hosts that cannot be reached.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

// Collects into `problems` what a page must not do: a console error or
// warning (Chromium reports a CSP violation, such as a blocked style, as
// one), an answer of 400 or above unless `expected(response)` says the
// test asked for it, a script error or a request that failed. A failed
// load is also logged to the console; it is judged by its response.
export function watchForProblems(page, problems, expected = () => false) {
  page.on("console", (message) => {
    const text = message.text();
    if ((message.type() === "error" || message.type() === "warning") && !text.startsWith("Failed to load resource")) {
      problems.push(`console: ${text}`);
    }
  });
  page.on("response", (response) => {
    if (response.status() >= 400 && !expected(response)) problems.push(`${response.status()} for ${response.url()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));
}

// Fills the sign-in form the way a person would (by label). The screenshot,
// when a path is given, shows the page as filled in.
export async function signIn(page, login, password, screenshot) {
  await page.getByLabel("Username or e-mail address").fill(login);
  await page.getByLabel("Password").fill(password);
  if (screenshot) await page.screenshot({ path: screenshot });
  await page.getByRole("button", { name: "Sign in and allow" }).click();
}
