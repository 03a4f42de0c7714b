// What the browser tests share: Debian's Chromium started headless, and a
// person filling in Tertulia's sign-in page.
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

// Fills the sign-in form the way a person would (by label). The screenshot,
// when a path is given, shows the page as filled in.
export async function signIn(page, login, password, screenshot) {
  await page.getByLabel("Username or e-mail address").fill(login);
  await page.getByLabel("Password").fill(password);
  if (screenshot) await page.screenshot({ path: screenshot });
  await page.getByRole("button", { name: "Sign in and allow" }).click();
}
