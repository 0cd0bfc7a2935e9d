// The demo in a real browser: Debian's chromium driven by playwright-core, two
// isolated browser contexts standing for two users, against the demo on its default
// store. Where chromium is missing the suite is skipped with the reason in its title,
// unless STORE_TEST_REQUIRE names chromium (CI), which makes it a failure.
const { accessSync, constants, mkdirSync, statSync } = require('node:fs');
const path = require('node:path');
const { afterAll, beforeAll, describe, expect, test } = require('@jest/globals');
const { createApp } = require('../src/app');
const { createStore } = require('../src/stores');

const ARTIFACTS = path.join(__dirname, '..', 'test-artifacts');
const INSTALL_HINT = 'apt-get install chromium';
/**
 * How long to wait for what the page's own script does (a poll every second) to show. Quiet,
 * it shows within about a second; a busy machine stretches everything in a browser, so the
 * wait is long and returns as soon as the page is there.
 */
const WAIT_MS = 30_000;

/** CHROMIUM_PATH, else Debian's /usr/bin/chromium, else chromium or chromium-browser on PATH. */
function findChromium(env = process.env) {
  const candidates = [
    env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    ...(env.PATH ?? '')
      .split(path.delimiter)
      .filter((dir) => path.isAbsolute(dir))
      .flatMap((dir) => [path.join(dir, 'chromium'), path.join(dir, 'chromium-browser')]),
  ];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not there, or not executable: try the next one
    }
  }
  return undefined;
}

const chromiumPath = findChromium();
const required = (process.env.STORE_TEST_REQUIRE ?? '')
  .split(',')
  .map((name) => name.trim())
  .includes('chromium');
if (!chromiumPath && required) {
  throw new Error(`chromium is required by STORE_TEST_REQUIRE but was not found: ${INSTALL_HINT}`);
}
const describeBrowser = chromiumPath ? describe : describe.skip;
const title = chromiumPath ? 'browser' : `browser [skipped: chromium not found: ${INSTALL_HINT}]`;
// Jest shows neither the titles nor the console output of a file whose tests are all
// skipped, so the reason goes straight to stderr as well.
if (!chromiumPath) process.stderr.write(`demo: ${title}\n`);

describeBrowser(title, () => {
  let browser;
  let server;
  let created;
  let baseUrl;

  beforeAll(async () => {
    created = await createStore('pouch', { env: {} });
    const app = createApp(created.store, {
      storeName: created.name,
      packageName: created.packageName,
      detail: created.detail,
      secret: 'browser-test-secret',
    });
    await new Promise((resolve, reject) => {
      server = app.listen(0, '127.0.0.1', resolve).on('error', reject);
    });
    baseUrl = `http://127.0.0.1:${server.address().port}`;
    const { chromium } = require('playwright-core');
    // launch() gives the browser a new, empty user data dir of its own and deletes it on close.
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
    await created?.close();
  }, 60_000);

  /**
   * Clicks a form's button and waits for the page it leads to (303 back to /) to load.
   * Waiting for the URL would not do: the page is already at / and would return at once.
   */
  const submit = (page, selector) => Promise.all([page.waitForEvent('load'), page.click(selector)]);
  const sidOf = (page) => page.locator('#sid').textContent();
  const visitsOf = async (page) => Number(await page.locator('#visits').textContent());
  /** Waits until the page's live list (refreshed by its own script) holds exactly these ids. */
  const expectListed = async (page, ids) => {
    const wanted = [...ids].sort();
    const listed = () =>
      page
        .locator('#sessions tbody tr[data-id]')
        .evaluateAll((rows) => rows.map((row) => row.dataset.id).sort());
    const deadline = Date.now() + WAIT_MS;
    let last = await listed();
    while (JSON.stringify(last) !== JSON.stringify(wanted) && Date.now() < deadline) {
      await page.waitForTimeout(100);
      last = await listed();
    }
    expect(last).toEqual(wanted);
  };

  test('two users: login, counter, regenerate, live session list, ending a session from the list, logout', async () => {
    const ada = await (await browser.newContext()).newPage();
    const grace = await (await browser.newContext()).newPage();

    // The counter counts this session's page loads.
    await ada.goto(baseUrl);
    expect(await visitsOf(ada)).toBe(1);
    await ada.reload();
    expect(await visitsOf(ada)).toBe(2);
    await expect(ada.locator('#store-name').textContent()).resolves.toBe('pouch');
    await expect(ada.locator('#capabilities').textContent()).resolves.toContain('connect, disconnect');

    // Logging in keeps the count and changes the session id.
    const adaBefore = await sidOf(ada);
    await ada.fill('#login input[name="name"]', 'Ada');
    await submit(ada, '#login button');
    await expect(ada.locator('#user').textContent()).resolves.toBe('Ada');
    // The count carried over (a reset would show 1) and counts the page load after login.
    expect(await visitsOf(ada)).toBe(3);
    expect(await sidOf(ada)).not.toBe(adaBefore);

    // "New session id" keeps the name under a new id.
    const adaLoggedIn = await sidOf(ada);
    await submit(ada, '#regenerate');
    const adaId = await sidOf(ada);
    expect(adaId).not.toBe(adaLoggedIn);
    await expect(ada.locator('#user').textContent()).resolves.toBe('Ada');

    // A second browser context is another user with a session of its own. Its name is
    // markup, which must show as text in the list (built with textContent).
    await grace.goto(baseUrl);
    expect(await visitsOf(grace)).toBe(1);
    await grace.fill('#login input[name="name"]', '<b>Grace</b>');
    await submit(grace, '#login button');
    const graceId = await sidOf(grace);
    expect(graceId).not.toBe(adaId);
    await expect(grace.locator('#user').textContent()).resolves.toBe('<b>Grace</b>');

    // Ada's page, untouched since, learns about Grace's session from its live list.
    await expectListed(ada, [adaId, graceId]);
    const graceRow = ada.locator(`#sessions tr[data-id="${graceId}"]`);
    await expect(graceRow.locator('.user').textContent()).resolves.toBe('<b>Grace</b>');
    expect(await graceRow.locator('b').count()).toBe(0);
    await expect(graceRow.locator('.ttl').textContent()).resolves.toMatch(/^(29:[0-5]\d|30:00)$/);
    await expect(ada.locator(`#sessions tr[data-id="${adaId}"]`).textContent()).resolves.toContain('(you)');
    // The operations table is live too: the page's own polls keep adding all() calls.
    const allCount = () => ada.locator('#operations tr[data-operation="all"] .count').textContent();
    const before = Number(await allCount());
    const deadline = Date.now() + WAIT_MS;
    while (Number(await allCount()) <= before && Date.now() < deadline) await ada.waitForTimeout(100);
    expect(Number(await allCount())).toBeGreaterThan(before);
    await expect(ada.locator('#operations tr[data-operation="all"] .p50').textContent()).resolves.toMatch(
      / ms$/,
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = path.join(ARTIFACTS, 'demo-two-sessions.png');
    await ada.screenshot({ path: screenshot, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);

    // Ada ends Grace's session from the list: Grace's open page notices by itself and
    // shows a fresh, logged-out session.
    await graceRow.locator('button').click();
    await expectListed(ada, [adaId]);
    await grace.locator('#login').waitFor({ timeout: WAIT_MS });
    expect(await sidOf(grace)).not.toBe(graceId);
    expect(await visitsOf(grace)).toBe(1);
    expect(await created.store.get(graceId)).toBeNull();
    const graceFresh = await sidOf(grace);
    await expectListed(ada, [adaId, graceFresh]);

    // Ada logs out: her session leaves the store and she gets a fresh one.
    await submit(ada, '#logout');
    await ada.locator('#login').waitFor();
    expect(await visitsOf(ada)).toBe(1);
    expect(await created.store.get(adaId)).toBeNull();
    await expectListed(grace, [graceFresh, await sidOf(ada)]);
  }, 120_000);
});
