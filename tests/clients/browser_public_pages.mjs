// The public pages in a real browser: headless Chromium, which enforces the
// Content-Security-Policy, opens the groups, a group, the events, the idea
// campaigns and one campaign's ranked ideas, and a person's kudos, following
// links as a reader would, then a group that does not exist (its 404 is
// expected). Any console error, failed request or CSP violation fails.
// Usage: node browser_public_pages.mjs BASE_URL GROUP_NAME KUDOS_RECEIVER CAMPAIGN_TAG SCREENSHOT
import { launchChromium, watchForProblems } from "./chromium.mjs";

const [baseUrl, group, receiver, campaign, screenshot] = process.argv.slice(2);
const missing = `${baseUrl}/groups/no_such_group`;
const problems = [];
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  // The unknown group's 404 is asked for.
  watchForProblems(page, problems, (response) => response.url() === missing);
  const heading = (name) => page.getByRole("heading", { level: 1, name }).waitFor({ timeout: 15000 });

  await page.goto(`${baseUrl}/groups`, { timeout: 15000 });
  await heading("Groups");
  // The stylesheet loaded under the policy: the header has its colour.
  const headerColour = await page.locator("header.site").evaluate((el) => getComputedStyle(el).backgroundColor);
  if (headerColour !== "rgb(31, 42, 68)") problems.push(`stylesheet not applied: header is ${headerColour}`);
  await page.locator(`a[href="/groups/${group}"]`).click();
  await page.getByRole("heading", { level: 2, name: "Moderators" }).waitFor({ timeout: 15000 });

  await page.getByRole("navigation", { name: "Site" }).getByRole("link", { name: "Events" }).click();
  await heading("Upcoming events");
  await page.getByRole("link", { name: "this site's events (.ics)" }).waitFor({ timeout: 15000 });

  await page.getByRole("navigation", { name: "Site" }).getByRole("link", { name: "Campaigns" }).click();
  await heading("Idea campaigns");
  await page.locator(`a[href="/campaigns/${campaign}"]`).click();
  await heading(`#${campaign}`);
  await page.locator("article blockquote").first().waitFor({ timeout: 15000 });

  await page.goto(`${baseUrl}/@${receiver}/kudos`, { timeout: 15000 });
  await heading(/^Kudos for/);
  await page.locator("article blockquote").first().waitFor({ timeout: 15000 });
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });

  const answer = await page.goto(missing, { timeout: 15000 });
  if (answer.status() !== 404) problems.push(`expected 404 for an unknown group, got ${answer.status()}`);
  await heading("Page not found");

  if (problems.length > 0) throw new Error(`the public pages had problems:\n${problems.join("\n")}`);
  console.log("read");
} finally {
  await browser.close();
}
