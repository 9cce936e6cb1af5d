// Upgrade and rollback from the VCH page against ISOs of two versions: the server deploys a
// v1.5.7 VCH, its ISO files are then replaced by v1.5.8 ones (the server reads its ISOs again for
// every list and upgrade, as an admin dropping in a new release would see), the page offers the
// upgrade, runs it as a job, and rolls it back; debug access starts SSH with a pasted key and a
// root password. The action dialogs pass axe in light and dark.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { artifactsDir, launchBrowser, watchErrors } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';
import { fillWizard, openWizard } from '../lib/app.mjs';
import { axeLightAndDark } from '../lib/axe.mjs';
import { playAppliance, reportIpWhenAwaited, reportToolsRunning, simulatorUrl, waitForPoweredOnVm } from '../lib/appliance.mjs';

const expected = (e) => !/status of 401/.test(e);
const NAME = 'vch-lifecycle-e2e';
const IP = '127.0.0.6';
const OLD = 'v1.5.7-12000-abcdef0';
const NEW = 'v1.5.8-12345-2c978fe';
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB0e2e test@e2e';

/**
 * A small ISO 9660 image whose primary volume descriptor's publisher says `VMware <version>`,
 * where VIC's build puts its version (the layout of proxy/src/cli/stand_in_iso.rs).
 */
async function writeIso(file, volumeId, version) {
  const SECTOR = 2048;
  const sectors = 32;
  const image = Buffer.alloc(sectors * SECTOR);
  const pvd = image.subarray(16 * SECTOR, 17 * SECTOR);
  pvd[0] = 1;
  pvd.write('CD001', 1, 'ascii');
  pvd[6] = 1;
  pvd.fill(0x20, 40, 72).write(volumeId, 40, 'ascii');
  pvd.writeUInt32LE(sectors, 80);
  pvd.writeUInt32BE(sectors, 84);
  pvd.writeUInt16LE(SECTOR, 128);
  pvd.writeUInt16BE(SECTOR, 130);
  pvd.fill(0x20, 318, 318 + 128).write(`VMware ${version}`, 318, 'ascii');
  pvd[881] = 1;
  const end = image.subarray(17 * SECTOR, 18 * SECTOR);
  end[0] = 255;
  end.write('CD001', 1, 'ascii');
  end[6] = 1;
  await writeFile(file, image);
}

async function writeIsos(dir, version) {
  await writeIso(path.join(dir, 'appliance.iso'), 'APPLIANCE', version);
  await writeIso(path.join(dir, 'bootstrap.iso'), 'BOOTSTRAP', version);
}

describe('a VCH upgraded and rolled back from its page', () => {
  let server;
  let browser;
  let sdk;
  let isoDir;
  let docker;

  before(async () => {
    await mkdir(artifactsDir, { recursive: true });
    isoDir = await mkdtemp(path.join(tmpdir(), 'vch-e2e-isos-'));
    await writeIsos(isoDir, OLD);
    server = await startServer({
      args: ['--appliance-iso', path.join(isoDir, 'appliance.iso'), '--bootstrap-iso', path.join(isoDir, 'bootstrap.iso')],
    });
    browser = await launchBrowser();
    sdk = await simulatorUrl(server.url);
  });

  after(async () => {
    await docker?.close();
    await browser?.close();
    await server?.stop();
    if (isoDir) await rm(isoDir, { recursive: true, force: true });
  });

  test('upgrade and rollback from the page against ISOs of two versions', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    const violations = {};
    const state = page.locator('section', { has: page.getByRole('heading', { name: 'State' }) });
    const version = page.locator('#vch-version');
    const status = page.locator('#vch-upgrade-status');
    /** Waits for the job page's outcome and asserts it succeeded; resolves to its text. */
    const ended = async (outcome) => {
      await outcome.getByText(/^(Done|It failed|Cancelled|The progress stream was lost)\.$/).waitFor({ timeout: 60_000 });
      const said = await outcome.textContent();
      assert.match(said, /^Done\./, said);
      return said;
    };
    /**
     * Opens the dialog with `opener`, confirms with `confirm`, follows the job on its page to
     * success (its outcome naming the versions before and after), then opens the VCH's page.
     */
    const runFromDialog = async (opener, dialogName, confirm, vm, heading, [from, to]) => {
      await page.getByRole('button', { name: opener }).click();
      const dialog = page.getByRole('dialog', { name: dialogName });
      await dialog.waitFor();
      await axeLightAndDark(page, `the ${opener} dialog`, violations);
      const started = page.waitForResponse((r) => r.request().method() === 'POST' && /\/api\/vchs\/[^/]+\/(upgrade|rollback)$/.test(r.url()));
      await dialog.getByRole('button', { name: confirm, exact: true }).click();
      const response = await started;
      assert.equal(response.status(), 202, await response.text());
      const job = (await response.json()).job;
      await page.waitForURL((u) => u.hash === `#/jobs/${job}`);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await reportIpWhenAwaited(page, job, sdk, vm, IP);
      const said = await ended(page.locator('#job-outcome'));
      assert.ok(said.includes(`Version: ${from} → ${to}`), said);
      await page.locator('#job-outcome').getByRole('link', { name: "Open the virtual container host's page" }).click();
      await page.getByRole('heading', { level: 1, name: NAME }).waitFor();
    };
    try {
      // Deployed by this server while its ISOs say v1.5.7.
      await openWizard(page, server.url);
      await fillWizard(page, NAME);
      const created = page.waitForResponse((r) => r.url().endsWith('/api/vchs') && r.request().method() === 'POST', { timeout: 60_000 });
      await page.getByRole('button', { name: 'Finish' }).click();
      const response = await created;
      assert.equal(response.status(), 202, await response.text());
      const job = (await response.json()).job;
      const vm = await waitForPoweredOnVm(page, job);
      docker = await playAppliance(sdk, vm, IP);
      await ended(page.locator('#job-outcome'));

      // A newer release dropped in place of the server's ISOs.
      await writeIsos(isoDir, NEW);
      await page.goto(`${server.url}#/vch/${vm}`);
      await page.getByRole('heading', { level: 1, name: NAME }).waitFor();
      await state.getByText(`Upgradeable to ${NEW}`).waitFor({ timeout: 30_000 });
      assert.equal(await version.textContent(), OLD);

      // The server certificate downloads as PEM; the appliance log link answers (the simulator's
      // appliance writes no log, so it says so).
      const cert = await page.getByRole('link', { name: 'Download the server certificate' }).getAttribute('href');
      // (Fetched with the page's cookies, outside the page: an expected 404 is no console error.)
      const fetchLink = async (href) => {
        const r = await page.request.get(new URL(href, page.url()).href);
        return { status: r.status(), type: r.headers()['content-type'], body: await r.text() };
      };
      const pem = await fetchLink(cert);
      assert.equal(pem.status, 200, pem.body);
      assert.equal(pem.type, 'application/x-pem-file');
      assert.match(pem.body, /^-----BEGIN CERTIFICATE-----/);
      const log = await fetchLink(await page.getByRole('link', { name: 'Appliance log' }).getAttribute('href'));
      assert.ok(log.status === 200 || (log.status === 404 && /no_log/.test(log.body)), JSON.stringify(log));

      // The debug dialog: a key or a password is needed before it can start.
      await page.getByRole('button', { name: 'Debug…' }).click();
      const debug = page.getByRole('dialog', { name: 'Enable SSH for debugging' });
      await debug.waitFor();
      assert.equal(await debug.getByRole('button', { name: 'Enable SSH' }).isDisabled(), true);
      await debug.getByRole('textbox', { name: 'Public key for root' }).fill(KEY);
      assert.equal(await debug.getByRole('button', { name: 'Enable SSH' }).isDisabled(), false);
      await axeLightAndDark(page, 'the debug dialog', violations);
      await page.keyboard.press('Escape');
      await debug.waitFor({ state: 'detached' });

      // Upgrade: a job with progress, then the page says it is up to date.
      await runFromDialog('Upgrade…', `Upgrade ${NAME}?`, 'Upgrade', vm, `Upgrading ${NAME}`, [OLD, NEW]);
      await state.getByText('Up to date').waitFor({ timeout: 30_000 });
      assert.equal(await version.textContent(), NEW);
      await page.setViewportSize({ width: 1280, height: 1500 });
      await page.screenshot({ path: path.join(artifactsDir, 'vch-page-upgraded.png') });
      await page.setViewportSize({ width: 1280, height: 720 });

      // Rollback: back to the snapshot the upgrade kept, the old version again.
      await runFromDialog('Roll back…', `Roll back ${NAME}?`, 'Roll back', vm, `Rolling back ${NAME}`, [NEW, OLD]);
      await state.getByText(`Upgradeable to ${NEW}`).waitFor({ timeout: 30_000 });
      assert.equal(await version.textContent(), OLD);
      const listed = await page.evaluate(async () => (await (await fetch('./api/vchs')).json()), null);
      assert.equal(listed.find((r) => r.id === vm)?.version, OLD);

      // Debug: SSH with the pasted key and a root password, run through VMware Tools.
      await reportToolsRunning(sdk, vm);
      await page.getByRole('button', { name: 'Debug…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Enable SSH for debugging' });
      await dialog.getByRole('textbox', { name: 'Public key for root' }).fill(`${KEY}\n`);
      await dialog.getByLabel('Root password (optional)').fill('D3bug-pw');
      const posted = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/api/vchs/${vm}/debug`));
      await dialog.getByRole('button', { name: 'Enable SSH' }).click();
      assert.deepEqual((await posted).postDataJSON(), { enable_ssh: true, authorized_key: KEY, root_password: 'D3bug-pw' });
      await page.getByRole('heading', { level: 1, name: `Enabling debug access on ${NAME}` }).waitFor();
      const said = await ended(page.locator('#job-outcome'));
      assert.ok(said.includes(`ssh root@${IP}`), said);

      assert.deepEqual(violations, {}, 'serious or critical axe violations');
      assert.deepEqual(errors.filter(expected), []);
    } finally {
      await page.close();
    }
  });
});
