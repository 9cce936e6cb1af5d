// The wizard as a vSphere Client remote plugin view: a test host page plays the client
// (fixtures/vsphere-client/), loads /plugin/index.html#<route> in an iframe and hands it a stub of
// the client's JavaScript SDK. Both are served on the vch server's origin with `page.route`,
// because vsphere-ui serves plugin views on its own origin, where /api/ui/htmlClientSdk.js is.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { artifactsDir, launchBrowser, watchErrors } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';
import { TOKEN, VC_GUID, openInClient as openInClientOn, routeClient as routeClientOn } from '../lib/vsphere-client.mjs';

const TITLE = 'New Virtual Container Host';

describe('inside the vSphere Client (remote plugin)', () => {
  let server;
  let browser;
  let origin;

  before(async () => {
    await mkdir(artifactsDir, { recursive: true });
    server = await startServer();
    browser = await launchBrowser();
    origin = new URL(server.url).origin;
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const routeClient = (page, options) => routeClientOn(page, origin, options);
  const openInClient = (page, options) => openInClientOn(page, origin, { title: TITLE, ...options });

  const sdkCalls = (page) => page.getByRole('list', { name: 'SDK calls' }).getByRole('listitem');
  const themeOf = (frame) => frame.locator('html').getAttribute('data-theme');

  async function signInWithDefaultTarget() {
    const response = await browser.context.request.post(`${server.url}api/session`, {
      data: { default_target: true },
    });
    assert.equal(response.status(), 201, await response.text());
  }

  async function clusterId(name) {
    const response = await browser.context.request.get(`${server.url}api/inventory`);
    assert.equal(response.status(), 200, await response.text());
    const inventory = await response.json();
    const cluster = inventory.datacenters
      .flatMap((dc) => dc.compute_resources)
      .find((cr) => cr.name === name);
    assert.ok(cluster, `no compute resource ${name} in the simulator`);
    return cluster.id;
  }

  test('without a session, sends the client session token to /api/session/clone and falls back to the password form', async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    try {
      await routeClient(page);
      const moid = 'domain-c7';
      const clone = page.waitForRequest((r) => r.url() === `${origin}/plugin/api/session/clone`);
      const frame = await openInClient(page, {
        view: '/plugin/index.html#/vchs?scope=cluster',
        objects: [`urn:vmomi:ClusterComputeResource:${moid}:${VC_GUID}`],
      });
      const request = await clone;
      assert.equal(request.method(), 'POST');
      assert.equal(request.headers()['vmware-api-session-id'], TOKEN);
      // The vCenter is the host the client was opened on; the iframe shares its origin.
      assert.deepEqual(request.postDataJSON(), { target: new URL(origin).host, vc_guid: VC_GUID });

      // Here that "vCenter" is the vch server itself, which has no /api/ui clone-ticket endpoint:
      // the proxy's real answer is an error, and a password (or the simulator) still works.
      await frame
        .getByRole('alert')
        .filter({ hasText: 'Could not sign in with your vSphere Client session' })
        .waitFor();
      await frame.getByRole('heading', { level: 1, name: 'Connect to vSphere' }).waitFor();
      await frame.getByRole('button', { name: 'Use the embedded simulator' }).click();
      await frame.getByRole('heading', { level: 1, name: 'Virtual Container Hosts' }).waitFor();
      assert.deepEqual(await sdkCalls(page).allTextContents(), ['initialize()', 'app.getSessionInfo()']);
    } finally {
      await page.close();
    }
  });

  test('opens the wizard from a cluster action with the cluster preselected, in the client theme; Cancel closes the modal', async () => {
    await signInWithDefaultTarget();
    const moid = await clusterId('DC0_C0');
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    try {
      const sdkRequests = await routeClient(page);
      const frame = await openInClient(page, {
        view: '/plugin/index.html#/create?scope=cluster',
        objects: [`urn:vmomi:ClusterComputeResource:${moid}:${VC_GUID}`],
        theme: 'dark',
      });
      await frame.getByRole('heading', { level: 1, name: TITLE }).waitFor();
      assert.equal(sdkRequests.length, 1);
      assert.equal(await themeOf(frame), 'dark');
      // The client's theme setting rules; the app's own chooser is gone.
      assert.equal(await frame.getByRole('combobox', { name: 'Theme' }).count(), 0);
      // The session already existed: no clone, no token asked for.
      assert.deepEqual(await sdkCalls(page).allTextContents(), ['initialize()']);

      await frame.getByRole('textbox', { name: 'Name', exact: true }).fill('vch-from-cluster');
      await frame.getByRole('button', { name: 'Next' }).click();
      await frame.getByRole('heading', { level: 2, name: 'Compute capacity' }).waitFor();
      assert.equal(await frame.getByRole('radio', { name: /^DC0_C0 \(cluster/ }).isChecked(), true);
      assert.equal(
        await frame.getByRole('textbox', { name: 'Compute resource path', exact: true }).inputValue(),
        '/DC0/host/DC0_C0',
      );
      await page.screenshot({ path: path.join(artifactsDir, 'plugin-create-dark.png') });

      // Switching the theme in the client follows at once.
      await page.getByRole('button', { name: 'Switch to the light theme' }).click();
      await frame.locator('html[data-theme="light"]').waitFor({ state: 'attached' });

      await frame.getByRole('button', { name: 'Cancel' }).click();
      // A name was typed: Cancel asks before throwing it away.
      await frame.getByRole('dialog', { name: 'Discard this new virtual container host?' }).getByRole('button', { name: 'Discard', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'The modal was closed.' }).waitFor();
      assert.deepEqual(await sdkCalls(page).allTextContents(), ['initialize()', 'modal.close()']);
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });

  test('without the SDK it is the stand-alone app: as a plain page, and in a frame with no client', async () => {
    await signInWithDefaultTarget();
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    try {
      const sdkRequests = await routeClient(page);
      await page.goto(`${server.url}plugin/index.html#/create?scope=cluster`);
      await page.getByRole('heading', { level: 1, name: 'Virtual Container Hosts' }).waitFor();
      await page.getByRole('combobox', { name: 'Theme' }).waitFor();
      assert.equal(await themeOf(page), null);
      // Not framed: the SDK is not even looked for.
      assert.deepEqual(sdkRequests, []);
      assert.deepEqual(errors, []);
      await page.screenshot({ path: path.join(artifactsDir, 'plugin-standalone.png') });
    } finally {
      await page.close();
    }

    const framed = await browser.context.newPage();
    try {
      // Framed, but /api/ui/htmlClientSdk.js is the proxy's 404: nothing to talk to.
      await routeClient(framed, { sdk: false });
      const frame = await openInClient(framed, { view: '/plugin/index.html#/vchs', theme: 'dark' });
      await frame.getByRole('heading', { level: 1, name: 'Virtual Container Hosts' }).waitFor();
      await frame.getByRole('combobox', { name: 'Theme' }).waitFor();
      assert.equal(await themeOf(frame), null);
      assert.equal(await sdkCalls(framed).count(), 0);
    } finally {
      await framed.close();
    }
  });
});
