// The wizard against a vCenter-scale inventory (40 clusters x 25 hosts, 2,000 port groups, 200
// datastores, 2,100 existing-VCH rows; lib/big-inventory.mjs), in a real browser: the snapshot
// loads, the steps up to Networks work with it, and a port group is picked out of 2,000 by typing
// a part of its name. No timing here: the figures are in bench/inventory.bench.mjs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, watchErrors } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';
import { connectToSimulator, next } from '../lib/app.mjs';
import { serveBigInventory } from '../lib/big-inventory.mjs';
import { pickPortGroupByTyping } from '../lib/pick.mjs';

describe('wizard with a vCenter-scale inventory', () => {
  let server;
  let browser;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('picking a port group out of 2,000 by typing part of its name', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    try {
      await serveBigInventory(page);
      await connectToSimulator(page, server.url);
      await page.getByText('Inventory: 1 datacenter(s), 2001 network(s), 200 datastore(s).').waitFor();
      await page.getByRole('button', { name: 'New Virtual Container Host' }).click();
      await next(page, 'Compute capacity');
      await page.getByRole('radio', { name: /DC0_C0\b/ }).check();
      await next(page, 'Storage capacity');
      await page.getByRole('combobox', { name: 'Image datastore' }).fill('LocalDS_0');
      await next(page, 'Networks');
      const options = await page
        .getByRole('combobox', { name: 'Bridge network' })
        .evaluate((el) => el.list?.options.length ?? 0);
      assert.equal(options, 2001, 'every usable port group of the cluster is offered');
      await pickPortGroupByTyping(page, 'Bridge network', 'DVPG1234', 'DC0_DVPG1234');
      await pickPortGroupByTyping(page, 'Public network', 'DVPG77', 'DC0_DVPG77');
      assert.deepEqual(errors.filter((e) => !/status of 401/.test(e)), []);
    } finally {
      await page.close();
    }
  });
});
