// Drives a Phanpy build in Debian's Chromium against two Tertulia sites
// (hq.test and es.test) behind an HTTPS proxy, the way a person would use
// it, and takes a screenshot after each step. Run by hand, not by CI: see
// README.md next to this file for the set-up it expects.
//
//   node run.mjs [step ...]     (no step: every step, in order)
//
// Settings come from the environment (defaults in brackets):
//   APP_URL [https://app.test]   where Phanpy is served
//   HQ, ES [hq.test, es.test]     the two sites
//   HQ_USER, HQ_PASSWORD          the person signing in on hq [luis@hq.test]
//   ES_USER, ES_PASSWORD          the person signing in on es [bruno@es.test]
//   SHOTS [docs/clients]          where screenshots go
//   WORK                          scratch files: the image uploaded, findings.json [a new temporary dir]
//   PROFILE                       Chromium profile dir [a fresh temporary one]
//   CHROMIUM_HOME                 HOME for Chromium, whose ~/.pki/nssdb trusts the local CA
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium } from 'playwright-core';

const env = (name, fallback) => process.env[name] || fallback;
const APP = env('APP_URL', 'https://app.test');
const HQ = env('HQ', 'hq.test');
const ES = env('ES', 'es.test');
const HQ_USER = env('HQ_USER', 'luis@hq.test');
const HQ_PASSWORD = env('HQ_PASSWORD', 'Tertulia-hq-2026');
const ES_USER = env('ES_USER', 'bruno@es.test');
const ES_PASSWORD = env('ES_PASSWORD', 'Tertulia-es-2026');
const SHOTS = env('SHOTS', 'docs/clients');
const STAMP = env('STAMP', new Date().toISOString().slice(11, 19));
const WORK = env('WORK', mkdtempSync(join(tmpdir(), 'phanpy-run-')));

mkdirSync(SHOTS, { recursive: true });

/** Every answer of 400 or more from the two sites, and every console error, by step. */
const findings = [];
let currentStep = 'start';

function watch(page, who) {
  page.on('dialog', async (dialog) => {
    findings.push({ step: currentStep, who, dialog: dialog.message() });
    await dialog.dismiss();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') {
      findings.push({ step: currentStep, who, console: message.text().slice(0, 300) });
    }
  });
  page.on('response', async (response) => {
    const url = new URL(response.url());
    if (response.status() < 400 || ![HQ, ES].includes(url.host)) return;
    let body = '';
    try {
      body = (await response.text()).slice(0, 300);
    } catch {
      body = '(no body)';
    }
    findings.push({
      step: currentStep,
      who,
      status: response.status(),
      request: `${response.request().method()} ${url.pathname}${url.search}`,
      body,
    });
  });
}

async function browser(profile) {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--host-resolver-rules=MAP ${new URL(APP).host} 127.0.0.1, MAP ${HQ} 127.0.0.1, MAP ${ES} 127.0.0.1`,
    ],
    env: { ...process.env, HOME: env('CHROMIUM_HOME', process.env.HOME) },
    viewport: { width: 1000, height: 700 },
    locale: 'en-GB',
  });
  return context;
}

async function shot(page, name) {
  await page.waitForTimeout(1200);
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  console.log(`  screenshot ${name}.png`);
}

/**
 * Phanpy's sign-in: server name → Tertulia's sign-in page (Phanpy opens it
 * in a pop-up window) → back to Phanpy with a code, exchanged with PKCE.
 */
async function signIn(page, site, login, password, prefix) {
  await page.goto(`${APP}/#/login`);
  await page.fill('#instanceURL', site);
  const popupOpened = page.context().waitForEvent('page', { timeout: 30000 });
  await page.click(`button:has-text("Continue with ${site}")`);
  const popup = await popupOpened;
  await popup.waitForSelector('#login', { timeout: 30000 });
  await popup.setViewportSize({ width: 1000, height: 700 });
  await popup.fill('#login', login);
  await popup.fill('#password', password);
  await shot(popup, `${prefix}-tertulia-sign-in`);
  await popup.click('button[value="approve"]');
  await page.waitForSelector('#compose-button', { timeout: 30000 });
}

async function compose(page, text, { image } = {}) {
  await page.click('#compose-button');
  const box = page.locator('#compose-container textarea').first();
  await box.waitFor();
  await box.fill(text);
  if (image) {
    await page.locator('#compose-container input[type="file"]').first().setInputFiles(image);
    await page.locator('#compose-container textarea[placeholder="Image description"]').fill('A corner of Phanpy');
  }
  return page.locator('#compose-container button[type="submit"]');
}

/**
 * Phanpy does not insert new posts from the stream: it polls home with
 * since_id every 15 to 30 s and offers a "New posts" button (not on an
 * empty timeline, where it has no since_id: there a reload is needed).
 */
async function seeNew(page, text, { timeout = 45000 } = {}) {
  const pill = page.locator('button.updates-button');
  if (await pill.waitFor({ timeout }).then(() => true, () => false)) {
    await pill.click();
  } else {
    await page.reload();
  }
  await page.locator('.status', { hasText: text }).first().waitFor({ timeout: 20000 });
}

/** Finds an account with Phanpy's search, opens it and follows it. */
async function followFromSearch(page, acct, prefix) {
  const host = acct.split('@')[1];
  await page.goto(`${APP}/#/search?q=${encodeURIComponent(`@${acct}`)}`);
  const result = page.locator('a.account-block', { hasText: acct.split('@')[0] }).first();
  await result.waitFor({ timeout: 30000 });
  await shot(page, `${prefix}-search-account`);
  await result.click();
  const follow = page.locator('button:has-text("Follow")').last();
  await follow.waitFor({ timeout: 20000 });
  await follow.click();
  // A follow of a remote account stays "requested" until the other site's
  // Accept arrives; Phanpy then offers "Withdraw…" in place of "Follow".
  await page.locator('button:has-text("Withdraw"), button:has-text("Following")').first().waitFor({ timeout: 30000 });
  if (host === HQ) return shot(page, `${prefix}-following`);
  await shot(page, `${prefix}-follow-requested`);
  for (let attempt = 0; attempt < 10; attempt += 1) {
    await page.reload();
    await page.locator('a.account-block', { hasText: acct.split('@')[0] }).first().click();
    const following = page.locator('button:has-text("Following")');
    if (await following.first().isVisible({ timeout: 5000 }).catch(() => false)) break;
  }
  await shot(page, `${String(Number(prefix) + 1).padStart(2, '0')}-following-remote-account`);
}

/** Another person on hq (ana) writes enough posts for several pages of home, through the API. */
async function seedPosts(count) {
  const api = (path, init) => fetch(`https://${HQ}${path}`, init).then((answer) => answer.json());
  const form = (fields) => ({ method: 'POST', body: new URLSearchParams(fields) });
  const app = await api(
    '/api/v1/apps',
    form({ client_name: 'seed', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read write' }),
  );
  const { access_token: token } = await api(
    '/oauth/token',
    form({
      grant_type: 'password',
      client_id: app.client_id,
      client_secret: app.client_secret,
      username: env('ANA_USER', 'ana@hq.test'),
      password: env('ANA_PASSWORD', 'Tertulia-hq-2026'),
      scope: 'read write',
    }),
  );
  for (let n = 1; n <= count; n += 1) {
    const post = form({ status: `Seed post ${n} of ${count} from ana (${STAMP}), for paging` });
    await api('/api/v1/statuses', { ...post, headers: { Authorization: `Bearer ${token}` } });
  }
}

/** An account's id on hq, from the public lookup (asked from the page, which trusts the local CA). */
function lookup(page, acct) {
  return page.evaluate(
    async ([site, handle]) => (await (await fetch(`https://${site}/api/v1/accounts/lookup?acct=${handle}`)).json()).id,
    [HQ, acct],
  );
}

async function openStatus(page, text) {
  await page.locator('.status', { hasText: text }).first().click();
  await page.waitForURL(/\/s\//, { timeout: 15000 });
  await page.waitForTimeout(800);
}

const steps = {
  async seed() {
    await seedPosts(45);
  },

  async signin({ hq }) {
    await signIn(hq, HQ, HQ_USER, HQ_PASSWORD, '01');
    await shot(hq, '02-home-after-sign-in');
  },

  async post({ hq }) {
    const submit = await compose(hq, `Hello from Phanpy on ${HQ} (${STAMP}) #webclient`);
    await shot(hq, '03-compose');
    await submit.click();
    await seeNew(hq, `(${STAMP}) #webclient`);
    await shot(hq, '04-posted');
  },

  async reply({ hq }) {
    await openStatus(hq, `(${STAMP}) #webclient`);
    await hq.click('button[title="Reply"]');
    const box = hq.locator('#compose-container textarea').first();
    await box.fill(`A reply from Phanpy (${STAMP})`);
    await shot(hq, '05-reply-compose');
    await hq.click('#compose-container button[type="submit"]');
    await hq.locator('.status', { hasText: `A reply from Phanpy (${STAMP})` }).first().waitFor({ timeout: 20000 });
    await shot(hq, '06-replied-thread');
  },

  async boost({ hq }) {
    await hq.goto(`${APP}/#/${HQ}/`);
    await openStatus(hq, `(${STAMP}) #webclient`);
    await hq.locator('button[title="Boost"], button:has-text("Boost")').first().click();
    const menuBoost = hq.locator('[role="menuitem"]:has-text("Boost")');
    if (await menuBoost.count()) await menuBoost.first().click();
    await hq.waitForTimeout(1500);
    await shot(hq, '07-boosted');
  },

  async upload({ hq }) {
    await hq.goto(`${APP}/#/${HQ}/`);
    await hq.waitForSelector('#compose-button');
    const image = join(WORK, `upload-${STAMP}.png`);
    await hq.screenshot({ path: image, clip: { x: 0, y: 0, width: 400, height: 300 } });
    const submit = await compose(hq, `A picture from Phanpy (${STAMP})`, { image });
    await shot(hq, '08-upload-compose');
    await submit.click();
    await seeNew(hq, `A picture from Phanpy (${STAMP})`);
    await shot(hq, '09-uploaded');
  },

  async follow({ hq }) {
    await followFromSearch(hq, `bruno@${ES}`, '10');
  },

  async followLocal({ hq }) {
    await followFromSearch(hq, `ana@${HQ}`, '18');
  },

  async esPost({ es }) {
    await signIn(es, ES, ES_USER, ES_PASSWORD, '13');
    const submit = await compose(es, `Hola from ${ES}, @luis@${HQ} (${STAMP})`);
    await shot(es, '14-es-compose-mention');
    await submit.click();
    await seeNew(es, `Hola from ${ES}`);
  },

  async arrive({ hq }) {
    await hq.goto(`${APP}/#/`);
    await hq.waitForSelector('#compose-button');
    await seeNew(hq, `Hola from ${ES}`, { timeout: 60000 });
    await shot(hq, '15-remote-post-arrived');
  },

  async notifications({ hq, es }) {
    await hq.goto(`${APP}/#/notifications`);
    await hq.locator('.notification', { hasText: `Hola from ${ES}` }).first().waitFor({ timeout: 30000 });
    await shot(hq, '16-notifications-hq');
    if (es) {
      await es.goto(`${APP}/#/notifications`);
      await es.locator('.notification').first().waitFor({ timeout: 30000 });
      await shot(es, '17-notifications-es-followed');
    }
  },

  async scroll({ hq }) {
    await hq.goto(`${APP}/#/`);
    await hq.reload();
    await hq.waitForSelector('#compose-button');
    await hq.locator('.status').first().waitFor();
    const pages = [];
    hq.on('request', (request) => {
      if (request.url().includes('/timelines/home') && request.url().includes('max_id')) pages.push(request.url());
    });
    for (let attempt = 0; attempt < 20; attempt += 1) {
      await hq.mouse.wheel(0, 4000);
      await hq.waitForTimeout(700);
      if (await hq.locator('text=The end.').isVisible().catch(() => false)) break;
    }
    const shown = await hq.locator('.timeline .status').count();
    console.log(`  home pages fetched with max_id: ${pages.length}; posts shown: ${shown}`);
    findings.push({ step: 'scroll', who: HQ, pages: pages.length, shown });
    await shot(hq, '19-home-scrolled-to-the-end');
  },

  async profiles({ hq }) {
    await hq.goto(`${APP}/#/${HQ}/a/${await lookup(hq, HQ_USER.split('@')[0])}`);
    await hq.locator('.status').first().waitFor({ timeout: 30000 });
    await shot(hq, '20-own-profile');
    await hq.goto(`${APP}/#/${HQ}/a/${await lookup(hq, `bruno@${ES}`)}`);
    await hq.locator('.status', { hasText: `Hola from ${ES}` }).first().waitFor({ timeout: 30000 });
    await shot(hq, '21-remote-profile');
  },

  async editProfile({ hq }) {
    await hq.goto(`${APP}/#/${HQ}/a/${await lookup(hq, HQ_USER.split('@')[0])}`);
    await hq.locator('button:has-text("Edit profile")').first().click({ timeout: 30000 });
    const form = hq.locator('form', { has: hq.locator('[name="display_name"]') });
    await form.locator('[name="display_name"]').fill('Luis (HQ IT)');
    await form.locator('[name="note"]').fill(`Looks after the HQ office network (${STAMP}).`);
    if (!(await form.locator('[name="fields_attributes[0][name]"]').count())) {
      await form.locator('button:has-text("Add field")').click();
    }
    await form.locator('[name="fields_attributes[0][name]"]').fill('Department');
    await form.locator('[name="fields_attributes[0][value]"]').fill('IT');
    await shot(hq, '22-edit-profile');
    await form.locator('button[type="submit"]').click();
    await hq.locator('.account-container', { hasText: 'Department' }).first().waitFor({ timeout: 30000 });
    await shot(hq, '23-profile-edited');
  },

  async extras({ hq }) {
    await hq.goto(`${APP}/#/`);
    await hq.reload();
    await openStatus(hq, `Hola from ${ES}`);
    await hq.locator('button[title="Like"]').first().click();
    await hq.locator('button[title="Bookmark"]').first().click();
    await hq.waitForTimeout(1500);
    await shot(hq, '24-liked-and-bookmarked-remote-post');
    await hq.goto(`${APP}/#/${HQ}/t/webclient`);
    await hq.locator('.status').first().waitFor({ timeout: 30000 });
    await shot(hq, '25-hashtag-timeline');
    for (const page of ['b', 'f', 'l', 'fh', 'ft', 'sp', 'mentions']) {
      currentStep = `extras:${page}`;
      await hq.goto(`${APP}/#/${page}`);
      await hq.waitForTimeout(2500);
    }
    currentStep = 'extras';
  },

  async pollAndWarning({ hq }) {
    await hq.goto(`${APP}/#/`);
    await hq.reload();
    await hq.waitForSelector('#compose-button');
    await hq.click('#compose-button');
    const box = hq.locator('#compose-container textarea').first();
    await box.fill(`Lunch on Friday? (${STAMP})`);
    await hq.locator('#compose-container').getByRole('button', { name: 'Add content warning' }).click();
    await hq.locator('#compose-container [name="spoilerText"]').fill('Food talk');
    await hq.locator('#compose-container').getByRole('button', { name: 'Add poll' }).click();
    await hq.locator('#compose-container input[placeholder="Choice 1"]').fill('Tapas');
    await hq.locator('#compose-container input[placeholder="Choice 2"]').fill('Pizza');
    await shot(hq, '26-compose-poll-and-warning');
    await hq.locator('#compose-container button[type="submit"]').click();
    await seeNew(hq, 'Food talk');
    await shot(hq, '27-poll-and-warning-posted');
  },

  async replyRemote({ hq, es }) {
    await hq.goto(`${APP}/#/`);
    await hq.reload();
    await openStatus(hq, `Hola from ${ES}`);
    await hq.click('button[title="Reply"]');
    // fill() replaces the "@bruno@es.test " Phanpy puts first; keep it.
    await hq.locator('#compose-container textarea').first().fill(`@bruno@${ES} Hola bruno, from hq (${STAMP})`);
    await hq.click('#compose-container button[type="submit"]');
    await hq.locator('.status', { hasText: `Hola bruno, from hq (${STAMP})` }).first().waitFor({ timeout: 20000 });
    if (es) {
      await es.goto(`${APP}/#/notifications`);
      await es.reload();
      await es.locator('.notification', { hasText: 'Hola bruno' }).first().waitFor({ timeout: 60000 });
      await shot(es, '28-es-sees-reply-from-hq');
    }
  },
};

const order = [
  'seed',
  'signin',
  'post',
  'reply',
  'boost',
  'upload',
  'follow',
  'esPost',
  'arrive',
  'notifications',
  'followLocal',
  'scroll',
  'profiles',
  'editProfile',
  'extras',
  'pollAndWarning',
  'replyRemote',
];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : order;
const profile = env('PROFILE', mkdtempSync(join(tmpdir(), 'phanpy-profile-')));
const context = await browser(profile);
const hq = context.pages()[0] || (await context.newPage());
watch(hq, HQ);
// bruno on es.test uses Phanpy in a browser of his own.
let es;
if (wanted.some((name) => name.startsWith('es') || ['notifications', 'replyRemote'].includes(name))) {
  const esContext = await browser(`${profile}-es`);
  es = esContext.pages()[0] || (await esContext.newPage());
  watch(es, ES);
}
let failed = false;
try {
  for (const name of wanted) {
    currentStep = name;
    console.log(`step ${name}`);
    if (!['seed', 'signin', 'esPost'].includes(name) && !hq.url().startsWith(APP)) {
      await hq.goto(`${APP}/`);
      await hq.waitForSelector('#compose-button', { timeout: 30000 });
    }
    await steps[name]({ hq, es, context });
  }
} catch (error) {
  failed = true;
  console.error(`step ${currentStep} failed: ${error.message.split('\n')[0]}`);
  await hq.screenshot({ path: join(SHOTS, `failed-${currentStep}.png`) }).catch(() => {});
} finally {
  writeFileSync(join(WORK, 'findings.json'), JSON.stringify(findings, null, 2));
  for (const finding of findings) console.log(JSON.stringify(finding));
  await context.close();
  await es?.context().close();
}
process.exit(failed ? 1 : 0);
