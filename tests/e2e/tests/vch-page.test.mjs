// The VCH after Finish: the job has an address that shows its log after a reload, the VCH has a
// page with its Docker endpoint, a Finish the server refuses keeps the draft, and a configure
// from the page shows what will change before it is applied.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { artifactsDir, launchBrowser, watchErrors } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';
import { fillWizard, goToStep, openWizard, stepHeading } from '../lib/app.mjs';
import { axeLightAndDark } from '../lib/axe.mjs';
import { playAppliance, simulatorUrl, waitForPoweredOnVm } from '../lib/appliance.mjs';

const expected = (e) => !/status of 401/.test(e);
const NAME = 'vch-page-e2e';
const IP = '127.0.0.5';

describe('a VCH after Finish', () => {
  let server;
  let browser;
  let sdk;
  let appliance;

  before(async () => {
    await mkdir(artifactsDir, { recursive: true });
    server = await startServer();
    browser = await launchBrowser();
    sdk = await simulatorUrl(server.url);
  });

  after(async () => {
    await appliance?.close();
    await browser?.close();
    await server?.stop();
  });

  test('deploy, reload, the VCH page and the job page; a refused Finish keeps the draft; configure shows the diff first', async () => {
    // A second wizard filled in before the VCH exists: its copy of the inventory will be stale.
    const stale = await browser.context.newPage();
    const staleErrors = watchErrors(stale);
    await openWizard(stale, server.url);
    await fillWizard(stale, NAME);

    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    const violations = {};
    try {
      await openWizard(page, server.url);
      await fillWizard(page, NAME);
      const created = page.waitForResponse((r) => r.url().endsWith('/api/vchs') && r.request().method() === 'POST', { timeout: 60_000 });
      await page.getByRole('button', { name: 'Finish' }).click();
      const response = await created;
      assert.equal(response.status(), 202, await response.text());
      const job = (await response.json()).job;
      await page.waitForURL((u) => u.hash === `#/jobs/${job}`);
      const vm = await waitForPoweredOnVm(page, job);
      // Create waits for the appliance's Docker API (docs/readiness.md): play it.
      appliance = await playAppliance(sdk, vm, IP);
      await page.locator('#job-outcome').getByText('Done.').waitFor({ timeout: 60_000 });

      // Home, then a reload: the list has it, and its page shows the Docker endpoint.
      await page.getByRole('button', { name: 'Back to the list' }).click();
      await page.reload();
      const table = page.getByRole('table', { name: 'Virtual container hosts' });
      await table.getByRole('link', { name: NAME }).click();
      await page.getByRole('heading', { level: 1, name: NAME }).waitFor();
      assert.equal(new URL(page.url()).hash, `#/vch/${vm}`);
      const docker = page.getByRole('region', { name: 'Docker endpoint' });
      await docker.getByText(`${IP}:2376`, { exact: true }).waitFor();
      assert.match(await docker.getByLabel('Docker client environment').textContent(), new RegExp(`DOCKER_HOST=${IP.replace(/\./g, '\\.')}:2376`));
      const networks = page.getByRole('region', { name: 'Networks' });
      await networks.getByRole('cell', { name: 'DC0_DVPG0' }).first().waitFor();
      await networks.locator('#vch-topology-title').waitFor({ state: 'attached' });
      await page.getByRole('region', { name: "Checked against today's inventory" }).getByText(/No errors or warnings|Warning|Error/).first().waitFor();
      // The page scrolls inside its main area: a tall window shows all of it.
      await page.setViewportSize({ width: 1280, height: 1500 });
      await page.screenshot({ path: path.join(artifactsDir, 'vch-page.png') });
      await page.setViewportSize({ width: 1280, height: 720 });
      await axeLightAndDark(page, 'the VCH page', violations);

      // The job's address, reloaded: its log and its result are still there.
      await page.goto(`${server.url}#/jobs/${job}`);
      await page.reload();
      await page.getByRole('heading', { level: 1, name: `Creating ${NAME}` }).waitFor();
      const outcome = page.locator('#job-outcome');
      await outcome.getByText('Done.').waitFor({ timeout: 30_000 });
      assert.match(await outcome.textContent(), new RegExp(`Docker endpoint: ${IP.replace(/\./g, '\\.')}:2376`));
      assert.ok((await page.getByRole('list', { name: 'Steps so far' }).getByRole('listitem').count()) > 3);
      await outcome.getByRole('link', { name: 'Download client certificates' }).waitFor();

      // The stale wizard, same name: the server refuses and the wizard comes back on General
      // with the error on the name and every entry as it was.
      const refused = stale.waitForResponse((r) => r.url().endsWith('/api/validate') && r.request().method() === 'POST');
      await stale.getByRole('button', { name: 'Finish' }).click();
      assert.equal((await (await refused).json()).valid, false);
      const name = stale.getByRole('textbox', { name: 'Name', exact: true });
      await stale.waitForFunction(() => document.querySelector('#wizard-step-heading')?.textContent === 'General', null, { timeout: 30_000 });
      await stale.waitForFunction((el) => el.getAttribute('aria-invalid') === 'true', await name.elementHandle());
      assert.equal(await name.inputValue(), NAME);
      assert.equal(await stepHeading(stale).textContent(), 'General');
      await goToStep(stale, 'Operations user');
      assert.equal(await stale.getByRole('textbox', { name: 'Operations user' }).inputValue(), 'ops@vsphere.local');
      assert.equal(await stale.getByLabel('Operations password').inputValue(), '0ps-s3cret');
      await goToStep(stale, 'Storage capacity');
      assert.equal(await stale.getByRole('combobox', { name: 'Image datastore' }).inputValue(), 'LocalDS_0');
      assert.deepEqual(staleErrors.filter(expected), []);

      // Configure from the VCH's page: new DNS servers, the change shown before it is applied.
      await page.goto(`${server.url}#/vch/${vm}`);
      await page.getByRole('button', { name: 'Configure' }).click();
      await page.getByRole('heading', { level: 1, name: `Configure ${NAME}` }).waitFor();
      await goToStep(page, 'Networks');
      await page.getByRole('textbox', { name: 'DNS servers' }).fill('10.0.0.53\n10.0.0.54');
      await goToStep(page, 'Summary');
      const patches = [];
      page.on('request', (r) => r.method() === 'PATCH' && patches.push(r));
      await page.getByRole('button', { name: 'Review changes' }).click();
      const diff = page.getByRole('region', { name: 'What will change' });
      await diff.waitFor();
      const changes = await diff.getByRole('list', { name: 'Changes' }).getByRole('listitem').allTextContents();
      assert.ok(changes.some((c) => /Added: \+ --dns-server 10\.0\.0\.53/.test(c)), changes.join(' | '));
      assert.ok(changes.some((c) => /Added: \+ --dns-server 10\.0\.0\.54/.test(c)), changes.join(' | '));
      assert.equal(patches.length, 0, 'nothing is sent before Apply');
      await diff.scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(artifactsDir, 'configure-diff.png') });
      await axeLightAndDark(page, 'the configure diff', violations);
      const patched = page.waitForRequest((r) => r.method() === 'PATCH');
      await diff.getByRole('button', { name: 'Apply changes' }).click();
      const body = (await patched).postDataJSON();
      // Only what changed carries a value; everything else is empty, which configure keeps.
      const given = [];
      const walk = (v, at) => {
        if (v && typeof v === 'object' && !Array.isArray(v)) Object.entries(v).forEach(([k, x]) => walk(x, at ? `${at}.${k}` : k));
        else if (v !== null && v !== false && !(Array.isArray(v) && v.length === 0) && at !== 'schema_version') given.push(at);
      };
      walk(body, '');
      assert.deepEqual(given, ['network.dns_servers']);
      assert.deepEqual(body.network.dns_servers, ['10.0.0.53', '10.0.0.54']);
      await page.getByRole('heading', { level: 1, name: `Configuring ${NAME}` }).waitFor();
      await page.locator('#job-outcome').getByText('Done.').waitFor({ timeout: 60_000 });
      const config = await page.evaluate(async (id) => (await (await fetch(`./api/vchs/${id}/config`)).json()).config, vm);
      assert.deepEqual(config.network.dns_servers, ['10.0.0.53', '10.0.0.54']);
      assert.deepEqual(violations, {}, 'serious or critical axe violations');
      assert.deepEqual(errors.filter(expected), []);
    } finally {
      await stale.evaluate(() => localStorage.clear()).catch(() => {});
      await stale.close();
      await page.close();
    }
  });
});
