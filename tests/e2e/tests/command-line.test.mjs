// The Summary's command line against a vCenter whose certificate nobody trusts: it names the
// target as a person types it (no /sdk), carries the SHA-1 thumbprint confirmed at connect, and
// imported back into the wizard it gives the same configuration with no findings.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { artifactsDir, launchBrowser, watchErrors } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';
import { startTlsSimulator } from '../lib/tls-simulator.mjs';
import { goToStep, openDisclosure, openFirewallIfAsked, stepList } from '../lib/app.mjs';

// 422: the untrusted certificate the person is asked to confirm.
const expected = (e) => !/status of (401|422)/.test(e);

/** The Linux command line shown on Summary, as one string. */
async function summaryLine(page) {
  const region = page.getByRole('region', { name: 'vic-machine command line' }).first();
  await region.getByRole('radio', { name: 'Linux' }).check();
  return region.getByLabel('Command line').textContent();
}

async function importLine(page, line) {
  await openDisclosure(page, 'Import a vic-machine command line');
  await page.getByRole('textbox', { name: 'vic-machine command line' }).fill(line);
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.locator('#import-outcome').getByText(/Imported\./).waitFor();
}

/** Errors in the step list's badges, per step. */
async function errorBadges(page) {
  return stepList(page).locator('.badge--danger').allTextContents();
}

describe('the command line round trip', () => {
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
    await tlsSim?.stop();
    await server?.stop();
  });

  test('no /sdk, the confirmed thumbprint, and zero findings after re-import', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    try {
      await page.context().clearCookies();
      await page.goto(server.url);
      await page.evaluate(() => localStorage.clear());
      await page.getByRole('textbox', { name: 'Server address' }).fill(tlsSim.host);
      await page.getByRole('textbox', { name: 'User name' }).fill(tlsSim.user);
      await page.getByLabel('Password').fill(tlsSim.password);
      await page.getByRole('button', { name: 'Connect', exact: true }).click();
      const prompt = page.getByRole('region', { name: "The server's certificate is not trusted" });
      await prompt.waitFor();
      const sha1 = await prompt.locator('dt:text("SHA-1 thumbprint") + dd').textContent();
      assert.match(sha1, /^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
      await prompt.getByRole('button', { name: 'Trust this certificate and connect' }).click();
      await page.getByText(/Inventory: 1 datacenter/).waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: 'New Virtual Container Host' }).click();

      // A realistic VCH from a pasted line; the target and thumbprint are the session's.
      await importLine(
        page,
        './vic-machine-linux create --name vch-rt --compute-resource /DC0/host/DC0_C0 --image-store LocalDS_0 ' +
          '--bridge-network DC0_DVPG0 --public-network "VM Network" --dns-server 10.0.0.53 --tls-cname vch-rt.example.com ' +
          '--ops-user ops@vsphere.local --ops-password s3cret',
      );
      // The target is a field on General that shows the session's target and thumbprint.
      assert.equal(await page.getByRole('textbox', { name: 'Certificate thumbprint' }).inputValue(), sha1);
      await goToStep(page, 'Compute capacity');
      await openFirewallIfAsked(page);
      await goToStep(page, 'Operations user');
      await page.getByLabel('Operations password').fill('s3cret');
      assert.deepEqual(await errorBadges(page), []);
      await goToStep(page, 'Summary');
      const line = await summaryLine(page);
      await page.screenshot({ path: path.join(artifactsDir, 'command-line-summary.png'), fullPage: true });
      assert.equal(line.includes('/sdk'), false, line);
      assert.match(line, new RegExp(`--target ${tlsSim.host.replace(/[.]/g, '\\.')}/DC0 `), line);
      assert.match(line, new RegExp(`--thumbprint ${sha1}`), line);
      assert.match(line, /--user alice/);

      // Import the product's own line: nothing to report, nothing changed.
      await importLine(page, line);
      assert.equal(await page.locator('#import-outcome li').count(), 0, await page.locator('#import-outcome').textContent());
      await goToStep(page, 'Operations user');
      await page.getByLabel('Operations password').fill('s3cret');
      assert.deepEqual(await errorBadges(page), []);
      assert.equal(await page.locator('[aria-invalid="true"]').count(), 0);
      await goToStep(page, 'General');
      assert.equal(await page.getByRole('combobox', { name: 'Datacenter' }).inputValue(), 'DC0');
      assert.equal(await page.getByRole('textbox', { name: 'Certificate thumbprint' }).inputValue(), sha1);
      await goToStep(page, 'Summary');
      assert.equal(await summaryLine(page), line);
      assert.deepEqual(errors.filter(expected), []);
    } finally {
      await page.evaluate(() => localStorage.clear()).catch(() => {});
      await page.close();
    }
  });
});
