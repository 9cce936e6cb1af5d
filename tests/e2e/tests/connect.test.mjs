// Connecting: the embedded simulator, and a target whose certificate must be confirmed first.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { artifactsDir, launchBrowser, watchErrors } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';
import { startTlsSimulator } from '../lib/tls-simulator.mjs';
import { connectToSimulator } from '../lib/app.mjs';

// The app asks for the current session at start; 401 there is the normal "not connected yet".
const expected = (e) => !/status of 401/.test(e);

describe('connect page', () => {
  let server;
  let browser;
  let tlsSim;

  before(async () => {
    await mkdir(artifactsDir, { recursive: true });
    server = await startServer();
    browser = await launchBrowser();
    tlsSim = await startTlsSimulator();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await tlsSim?.stop();
  });

  test('connects to the embedded simulator and loads the inventory once', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    let inventoryCalls = 0;
    page.on('request', (r) => r.url().includes('/api/inventory') && inventoryCalls++);
    try {
      await connectToSimulator(page, server.url);
      await page.getByText(/Connected to http:\/\/127\.0\.0\.1:\d+\/sdk as user/).waitFor();
      // The whole path: browser -> proxy -> SOAP -> simulator, rendered by the WASM app.
      await page.getByRole('list', { name: 'Datacenters' }).getByRole('listitem').filter({ hasText: /^DC0$/ }).waitFor();
      await page.getByRole('button', { name: 'New Virtual Container Host' }).click();
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'New Virtual Container Host' }).click();
      assert.equal(inventoryCalls, 1, 'the wizard reuses the cached snapshot');
      await page.getByRole('button', { name: 'Cancel' }).click();
      // The lead's VCH list is either there or says clearly that it isn't yet.
      await page.getByRole('region', { name: 'Virtual container hosts on this target' }).getByText(/not available on this server yet|no virtual container hosts|Name/).first().waitFor();
      assert.deepEqual(errors.filter(expected), []);
    } finally {
      await page.screenshot({ path: path.join(artifactsDir, 'home.png') });
      await page.close();
    }
  });

  test('shows an untrusted certificate\'s thumbprints and connects only after confirmation', async () => {
    const page = await browser.context.newPage();
    const logins = [];
    page.on('request', (r) => r.url().endsWith('/api/session') && r.method() === 'POST' && logins.push(r.postDataJSON()));
    try {
      await page.context().clearCookies();
      await page.goto(server.url);
      await page.getByRole('textbox', { name: 'Server address' }).fill(tlsSim.host);
      await page.getByRole('textbox', { name: 'User name' }).fill(tlsSim.user);
      await page.getByLabel('Password').fill(tlsSim.password);
      await page.getByRole('button', { name: 'Connect', exact: true }).click();

      const prompt = page.getByRole('region', { name: "The server's certificate is not trusted" });
      await prompt.waitFor();
      const sha256 = await prompt.locator('dt:text("SHA-256 thumbprint") + dd').textContent();
      assert.match(sha256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      assert.match(await prompt.textContent(), /SHA-1 thumbprint/);
      assert.equal(logins.length, 1);
      assert.equal(logins[0].thumbprint, undefined, 'never a silent accept');
      await page.screenshot({ path: path.join(artifactsDir, 'connect-certificate.png') });

      await prompt.getByRole('button', { name: 'Trust this certificate and connect' }).click();
      await page.getByText(/Connected to .* as alice/).waitFor({ timeout: 30_000 });
      assert.equal(logins.length, 2);
      assert.equal(logins[1].thumbprint, sha256, 'the retry pins exactly the thumbprint shown');
    } finally {
      await page.close();
    }
  });

  test('a wrong password is reported, not retried', async () => {
    const page = await browser.context.newPage();
    try {
      await page.context().clearCookies();
      await page.goto(server.url);
      await page.getByRole('textbox', { name: 'Server address' }).fill(tlsSim.host);
      await page.getByRole('textbox', { name: 'User name' }).fill(tlsSim.user);
      await page.getByLabel('Password').fill('wrong');
      await page.getByRole('button', { name: 'Connect', exact: true }).click();
      await page.getByRole('button', { name: 'Trust this certificate and connect' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Could not connect' });
      await alert.waitFor({ timeout: 30_000 });
    } finally {
      await page.close();
    }
  });
});
