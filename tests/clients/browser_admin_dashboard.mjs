// The admin dashboard in a real browser: headless Chromium, which enforces
// the Content-Security-Policy, signs a non-staff person in (refused), then
// an admin, who opens the reports and accounts and suspends an account
// through its form. Any console error, failed script or CSP violation fails.
// Usage: node browser_admin_dashboard.mjs BASE_URL ADMIN_LOGIN NON_STAFF_LOGIN PASSWORD TARGET_USERNAME SCREENSHOT
import { launchChromium, watchForProblems } from "./chromium.mjs";

const [baseUrl, adminLogin, nonStaffLogin, password, target, screenshot] = process.argv.slice(2);
const problems = [];
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  // The refused sign-in's 401 is asked for, and counted.
  let refusedSignIns = 0;
  watchForProblems(page, problems, (response) => {
    const refusedSignIn = response.status() === 401 && response.url() === `${baseUrl}/admin/sign_in`;
    if (refusedSignIn) refusedSignIns += 1;
    return refusedSignIn;
  });

  const signIn = async (login) => {
    await page.getByLabel("Username or e-mail address").fill(login);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in" }).click();
  };
  const heading = (name) => page.getByRole("heading", { level: 1, name }).waitFor({ timeout: 15000 });

  await page.goto(`${baseUrl}/admin`, { timeout: 15000 });
  await heading(/Sign in to the dashboard/);
  await signIn(nonStaffLogin);
  await page.getByRole("alert").filter({ hasText: "moderators and administrators" }).waitFor({ timeout: 15000 });

  await signIn(adminLogin);
  await heading("Adoption");
  // The stylesheet loaded under the policy: the header has its colour.
  const headerColour = await page.locator("header.site").evaluate((el) => getComputedStyle(el).backgroundColor);
  if (headerColour !== "rgb(31, 42, 68)") problems.push(`stylesheet not applied: header is ${headerColour}`);

  await page.getByRole("link", { name: "Reports" }).click();
  await heading("Open reports");

  await page.getByRole("link", { name: "Accounts" }).click();
  await heading("Accounts");
  await page.getByLabel("Username contains").fill(target);
  await page.getByRole("button", { name: "Filter" }).click();
  await page.getByRole("link", { name: new RegExp(`^@${target}`) }).click();
  await heading(`@${target}`);
  await page.getByLabel(/^Suspend/).check();
  await page.getByLabel("Warning shown to the account's owner").fill("Suspended after repeated spam.");
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  await page.getByRole("button", { name: "Take action" }).click();
  await page.getByRole("button", { name: "Lift the suspension" }).waitFor({ timeout: 15000 });

  if (refusedSignIns !== 1) problems.push(`expected one refused sign-in, saw ${refusedSignIns}`);
  if (problems.length > 0) throw new Error(`the dashboard had problems:\n${problems.join("\n")}`);
  console.log("suspended");
} finally {
  await browser.close();
}
