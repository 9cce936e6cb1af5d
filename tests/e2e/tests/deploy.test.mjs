// Creating, following, cancelling and deleting a VCH through the wizard against the real proxy
// and the embedded simulator. The simulator never boots the appliance, so the test plays it: it
// reports the guest IP over SOAP once the job has powered the VM on (lib/appliance.mjs).
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { artifactsDir, launchBrowser, watchErrors } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';
import { next, openFirewallIfAsked, openWizard } from '../lib/app.mjs';
import { playAppliance, simulatorUrl, waitForPoweredOnVm } from '../lib/appliance.mjs';

const expected = (e) => !/status of 401/.test(e);
const shot = (page, name) => page.screenshot({ path: path.join(artifactsDir, `${name}.png`), fullPage: true });
const FIREWALL_BUTTON = 'Allow 2377/tcp on the hosts of DC0_C0';

/** General → Compute: the name, then the cluster. Stops on the Compute step. */
async function nameAndCompute(page, name) {
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
  await next(page, 'Compute capacity');
  await page.getByRole('radio', { name: /DC0_C0/ }).check();
}

/** Compute → Summary with the simulator's datastore and port groups. */
async function restOfWizard(page, { opsPassword } = {}) {
  await next(page, 'Storage capacity');
  await page.getByRole('combobox', { name: 'Image datastore' }).fill('LocalDS_0');
  await next(page, 'Networks');
  await page.getByRole('combobox', { name: 'Bridge network' }).fill('DC0_DVPG0');
  await page.getByRole('combobox', { name: 'Public network' }).fill('VM Network');
  await next(page, 'Security');
  await next(page, 'Registry access');
  await next(page, 'Operations user');
  if (opsPassword) {
    await page.getByRole('textbox', { name: 'Operations user' }).fill('ops@vsphere.local');
    await page.getByLabel('Operations password').fill(opsPassword);
  }
  await next(page, 'Summary');
}

/** Presses Finish and returns the job id the proxy answered with. */
async function finish(page) {
  const created = page.waitForResponse((r) => r.url().endsWith('/api/vchs') && r.request().method() === 'POST', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Finish' }).click();
  const response = await created;
  assert.equal(response.status(), 202, await response.text());
  return { job: (await response.json()).job, request: response.request() };
}

describe('deploying a VCH', () => {
  let server;
  let browser;
  let sdk;

  before(async () => {
    await mkdir(artifactsDir, { recursive: true });
    server = await startServer();
    browser = await launchBrowser();
    sdk = await simulatorUrl(server.url);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('opens the firewall, creates a VCH with progress and the Docker endpoint, lists it and deletes it', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    const name = 'vch-deploy-e2e';
    try {
      await openWizard(page, server.url);
      await nameAndCompute(page, name);

      // F1 from the browser's own rules against the cached snapshot: the stock simulator's hosts
      // block 2377/tcp. The fix is a command line shown as text and a button, never a value.
      const compute = page.getByRole('textbox', { name: 'Compute resource path' });
      await page.waitForFunction((el) => el.getAttribute('aria-invalid') === 'true', await compute.elementHandle());
      const message = page.locator('#f-target-compute_resource-message');
      assert.match(await message.textContent(), /blocks outgoing 2377\/tcp/);
      assert.match(await message.locator('code').first().textContent(), /^vch update firewall --allow .*--compute-resource \/DC0\/host\/DC0_C0$/);
      assert.equal(await page.getByRole('button', { name: /vch update firewall/ }).count(), 0, 'the command line is not a value button');
      const fix = page.getByRole('button', { name: FIREWALL_BUTTON });
      await shot(page, 'deploy-1-firewall-blocked');

      const call = page.waitForRequest((r) => r.url().endsWith('/api/firewall') && r.method() === 'POST');
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/firewall'));
      const refreshed = page.waitForResponse((r) => /\/api\/inventory\?refresh=true/.test(r.url()));
      await fix.click();
      assert.deepEqual((await call).postDataJSON(), { action: 'allow', compute_resource: '/DC0/host/DC0_C0' });
      const firewall = await answered;
      assert.equal(firewall.status(), 200, await firewall.text());
      await refreshed;
      // The re-read snapshot no longer has the finding: it goes away live, the button with it.
      await page.waitForFunction((el) => el.getAttribute('aria-invalid') !== 'true', await compute.elementHandle(), { timeout: 30_000 });
      await fix.waitFor({ state: 'detached' });
      await page.getByText(/Allowed outgoing 2377\/tcp on \d+ host\(s\)/).waitFor();
      await shot(page, 'deploy-2-firewall-open');

      await restOfWizard(page, { opsPassword: 'ops-s3cret' });
      const { job, request } = await finish(page);
      // The password travels beside the configuration, which never carries one.
      const body = request.postDataJSON();
      assert.equal(body.ops_password, 'ops-s3cret');
      assert.equal(body.config.general.name, name);
      assert.equal(body.config.operations.ops_user, 'ops@vsphere.local');
      assert.equal(JSON.stringify(body.config).includes('ops-s3cret'), false);

      await page.getByRole('heading', { level: 1, name: `Creating ${name}` }).waitFor();
      const bar = page.getByRole('progressbar');
      const seen = new Set();
      const sample = async () => seen.add(Number(await bar.getAttribute('aria-valuenow')));
      // Play the appliance: once the VM is powered on, report its client IP.
      const vm = await waitForPoweredOnVm(page, job);
      await page.getByText(/wait for the appliance's client IP/i).first().waitFor({ timeout: 30_000 });
      await sample();
      const waiting = [...seen].at(-1);
      assert.ok(waiting > 0 && waiting < 100, `progress while waiting for the IP: ${waiting}`);
      await shot(page, 'deploy-3-waiting-for-ip');
      const docker = await playAppliance(sdk, vm, '127.0.0.99');

      const outcome = page.locator('#job-outcome');
      await outcome.getByText('Done.').waitFor({ timeout: 60_000 });
      await sample();
      assert.equal(await bar.getAttribute('aria-valuenow'), '100');
      assert.ok(seen.size >= 2, `the bar moved: ${[...seen]}`);
      assert.match(await outcome.textContent(), /Docker endpoint: 127\.0\.0\.99:2376/);
      assert.match(await outcome.locator('pre').textContent(), /docker .*-H 127\.0\.0\.99:2376/);
      // Create asked the appliance's Docker API (the stub) before it said Done.
      assert.ok(docker.answered() >= 1, 'the Docker API was checked');
      await docker.close();
      const download = outcome.getByRole('link', { name: 'Download client certificates' });
      assert.equal(await download.getAttribute('href'), `./api/jobs/${job}/client-bundle`);
      const bundle = await page.evaluate(async (href) => {
        const r = await fetch(href);
        return { status: r.status, type: r.headers.get('content-type'), size: (await r.arrayBuffer()).byteLength };
      }, await download.getAttribute('href'));
      assert.deepEqual([bundle.status, bundle.type], [200, 'application/x-tar']);
      assert.ok(bundle.size > 1024);
      await shot(page, 'deploy-4-created');

      // The list shows it; delete it with confirmation; it goes.
      await page.getByRole('button', { name: 'Back to the list' }).click();
      const table = page.getByRole('table', { name: 'Virtual container hosts' });
      await table.getByRole('rowheader', { name }).waitFor({ timeout: 30_000 });
      await shot(page, 'deploy-5-listed');
      await table.getByRole('button', { name: `Delete ${name}` }).click();
      const confirm = page.getByRole('alertdialog', { name: `Delete ${name} and its container VMs?` });
      await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: `Deleting ${name}` }).waitFor();
      await page.locator('#job-outcome').getByText('Done.').waitFor({ timeout: 60_000 });
      await shot(page, 'deploy-6-deleted');
      await page.getByRole('button', { name: 'Back to the list' }).click();
      await page.getByRole('heading', { name: 'Virtual container hosts on this target' }).waitFor();
      await page.waitForFunction(
        (n) => !document.querySelector('.loading') && ![...document.querySelectorAll('th[scope=row]')].some((th) => th.textContent === n),
        name,
        { timeout: 30_000 },
      );
      assert.equal(await page.getByRole('rowheader', { name }).count(), 0);
      assert.deepEqual(errors.filter(expected), []);
    } finally {
      await page.close();
    }
  });

  test('cancelling during the wait for the IP rolls back and shows what was removed', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    const name = 'vch-cancel-e2e';
    try {
      await openWizard(page, server.url);
      await nameAndCompute(page, name);
      await openFirewallIfAsked(page);
      await restOfWizard(page);
      const { job } = await finish(page);
      await page.getByRole('heading', { level: 1, name: `Creating ${name}` }).waitFor();
      await waitForPoweredOnVm(page, job);
      await page.getByText(/wait for the appliance's client IP/i).first().waitFor({ timeout: 30_000 });

      await page.getByRole('button', { name: 'Cancel and roll back' }).click();
      const outcome = page.locator('#job-outcome');
      await outcome.getByText('Cancelled.').waitFor({ timeout: 60_000 });
      assert.match(await outcome.textContent(), /Rollback removed:/);
      const removed = await outcome.getByRole('listitem').allTextContents();
      assert.ok(removed.some((r) => /virtual machine|VM/i.test(r)), removed.join(' | '));
      assert.ok(removed.some((r) => /resource pool/i.test(r)), removed.join(' | '));
      assert.equal(await page.getByRole('button', { name: 'Cancel and roll back' }).count(), 0);
      await shot(page, 'deploy-cancelled');

      // Nothing of it is left in the list.
      await page.getByRole('button', { name: 'Back to the list' }).click();
      await page.getByRole('heading', { name: 'Virtual container hosts on this target' }).waitFor();
      await page.waitForFunction(() => !document.querySelector('.loading'), null, { timeout: 30_000 });
      assert.equal(await page.getByRole('rowheader', { name }).count(), 0);
      assert.deepEqual(errors.filter(expected), []);
    } finally {
      await page.close();
    }
  });
});
