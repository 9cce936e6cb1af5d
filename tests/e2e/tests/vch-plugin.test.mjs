// The VCH page as the vSphere Client plugin's monitor view of the VCH's appliance VM
// (plugin-manifest/plugin.json, `VirtualMachine` → `index.html#/vch?scope=vm`), in the client's
// theme, with its actions; a VM that is no VCH's shows the list instead.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { artifactsDir, launchBrowser, watchErrors } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';
import { fillWizard, openWizard } from '../lib/app.mjs';
import { axeLightAndDark } from '../lib/axe.mjs';
import { playAppliance, simulatorUrl, waitForPoweredOnVm } from '../lib/appliance.mjs';
import { VC_GUID, openInClient, routeClient } from '../lib/vsphere-client.mjs';

const expected = (e) => !/status of 401/.test(e);
const NAME = 'vch-plugin-e2e';
const IP = '127.0.0.7';
const TITLE = 'Virtual Container Host';

describe('the VCH page inside the vSphere Client', () => {
  let server;
  let browser;
  let appliance;

  before(async () => {
    await mkdir(artifactsDir, { recursive: true });
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await appliance?.close();
    await browser?.close();
    await server?.stop();
  });

  test("the appliance VM's monitor view is the VCH page; another VM's is the list", async () => {
    const origin = new URL(server.url).origin;
    const sdk = await simulatorUrl(server.url);
    // Deployed from the stand-alone wizard; the session cookie is shared with the plugin frame.
    const setup = await browser.context.newPage();
    let vm;
    try {
      await openWizard(setup, server.url);
      await fillWizard(setup, NAME);
      const created = setup.waitForResponse((r) => r.url().endsWith('/api/vchs') && r.request().method() === 'POST', { timeout: 60_000 });
      await setup.getByRole('button', { name: 'Finish' }).click();
      const job = (await (await created).json()).job;
      vm = await waitForPoweredOnVm(setup, job);
      appliance = await playAppliance(sdk, vm, IP);
      await setup.locator('#job-outcome').getByText('Done.').waitFor({ timeout: 60_000 });
    } finally {
      await setup.close();
    }

    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    const violations = {};
    try {
      await routeClient(page, origin);
      const frame = await openInClient(page, origin, {
        view: '/plugin/index.html#/vch?scope=vm',
        title: TITLE,
        objects: [`urn:vmomi:VirtualMachine:${vm}:${VC_GUID}`],
        theme: 'dark',
      });
      await frame.getByRole('heading', { level: 1, name: NAME }).waitFor({ timeout: 30_000 });
      assert.equal(await frame.locator('html').getAttribute('data-theme'), 'dark');
      await frame.getByRole('region', { name: 'Docker endpoint' }).getByText(`${IP}:2376`, { exact: true }).waitFor();
      await frame.locator('#vch-upgrade-status').getByText('Up to date').waitFor({ timeout: 30_000 });
      for (const action of ['Configure', 'Upgrade…', 'Roll back…', 'Debug…', 'Delete']) {
        await frame.getByRole('button', { name: action, exact: true }).waitFor();
      }
      await page.screenshot({ path: path.join(artifactsDir, 'plugin-vch-page-dark.png') });
      await axeLightAndDark(page, 'the VCH page in the client', violations);
      await frame.getByRole('button', { name: 'Roll back…' }).click();
      await frame.getByRole('dialog', { name: `Roll back ${NAME}?` }).waitFor();
      await axeLightAndDark(page, 'the rollback dialog in the client', violations);
      await frame.getByRole('dialog', { name: `Roll back ${NAME}?` }).getByRole('button', { name: 'Cancel' }).click();

      // Any VM has the view; one that is no VCH's appliance gets the list of VCHs.
      const other = await openInClient(page, origin, {
        view: '/plugin/index.html#/vch?scope=vm',
        title: TITLE,
        objects: [`urn:vmomi:VirtualMachine:vm-no-such-vch:${VC_GUID}`],
      });
      await other.getByRole('heading', { level: 1, name: 'Virtual Container Hosts' }).waitFor({ timeout: 30_000 });
      await other.getByRole('table', { name: 'Virtual container hosts' }).getByRole('link', { name: NAME }).waitFor();

      assert.deepEqual(violations, {}, 'serious or critical axe violations');
      assert.deepEqual(errors.filter(expected), []);
    } finally {
      await page.close();
    }
  });
});
