// The overview page: the WASM app talks to the real proxy, which talks to the embedded simulator.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import { artifactsDir, launchBrowser, watchErrors } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';

describe('overview page', () => {
  let server;
  let browser;

  before(async () => {
    await mkdir(artifactsDir, { recursive: true });
    server = await startServer();
    browser = await launchBrowser();
  });

  // Runs even when a test failed, so no server or browser outlives the run.
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('lists the simulator datacenter DC0 and the connected target', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    try {
      await page.goto(server.url);
      assert.equal(await page.title(), 'Virtual Container Hosts');

      const list = page.getByRole('list', { name: 'Datacenters' });
      await list.getByRole('listitem').filter({ hasText: /^DC0$/ }).waitFor({ timeout: 30_000 });
      assert.deepEqual(await list.getByRole('listitem').allTextContents(), ['DC0']);

      const connected = page.getByText(/Connected to/);
      await connected.waitFor();
      assert.match(await connected.textContent(), /Connected to http:\/\/127\.0\.0\.1:\d+\/sdk/);

      assert.deepEqual(errors, [], 'the page logged errors');
    } finally {
      await page.screenshot({ path: path.join(artifactsDir, 'overview.png') });
      await page.close();
    }
  });

  test('shows the API error message and hint, and retries', async () => {
    const page = await browser.context.newPage();
    let failNext = true;
    await page.route('**/api/datacenters', (route) => {
      if (!failNext) return route.fallback();
      failNext = false;
      return route.fulfill({
        status: 502,
        contentType: 'application/json',
        body: JSON.stringify({
          error: {
            code: 'vsphere_unreachable',
            message: 'vCenter Server at 10.0.0.5 did not answer',
            hint: 'Check the address and that port 443 is open',
          },
        }),
      });
    });
    try {
      await page.goto(server.url);
      const alert = page.getByRole('alert').filter({ hasText: 'Could not load datacenters' });
      await alert.waitFor();
      assert.match(await alert.textContent(), /vCenter Server at 10\.0\.0\.5 did not answer/);
      assert.match(await alert.textContent(), /Check the address and that port 443 is open/);

      await alert.getByRole('button', { name: 'Try again' }).click();
      await page.getByRole('list', { name: 'Datacenters' }).getByText('DC0', { exact: true }).waitFor();
      assert.equal(await alert.count(), 0);
    } finally {
      await page.screenshot({ path: path.join(artifactsDir, 'overview-error.png') });
      await page.close();
    }
  });

  test('works under a plugin path prefix', async () => {
    // vCenter serves remote plugins below a prefix; relative asset and API URLs must follow it.
    const page = await browser.context.newPage();
    const prefix = new URL('/ui/vch/', server.url).href;
    await page.route(`${prefix}**`, async (route) => {
      const rest = route.request().url().slice(prefix.length);
      const response = await route.fetch({ url: new URL(rest, server.url).href });
      await route.fulfill({ response });
    });
    try {
      await page.goto(prefix);
      await page.getByRole('list', { name: 'Datacenters' }).getByText('DC0', { exact: true }).waitFor();
    } finally {
      await page.close();
    }
  });

  test('has no automatically detectable accessibility violations, light and dark', async () => {
    const page = await browser.context.newPage();
    try {
      for (const theme of ['light', 'dark']) {
        await page.goto(`${server.url}?theme=${theme}`);
        await page.getByRole('list', { name: 'Datacenters' }).getByText('DC0', { exact: true }).waitFor();
        assert.equal(await page.locator('html').getAttribute('data-theme'), theme);
        const results = await new AxeBuilder({ page }).analyze();
        const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
        assert.deepEqual(summary, [], `axe violations in the ${theme} theme`);
      }
    } finally {
      await page.close();
    }
  });
});
