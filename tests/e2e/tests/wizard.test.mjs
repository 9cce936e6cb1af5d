// The wizard against the real proxy and the simulator's inventory: live findings from
// shared::validate running in the browser, pickers, import, summary, and accessibility per step.
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import { artifactsDir, launchBrowser, watchErrors } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';
import { STEPS, describedBy, goToStep, next, openDisclosure, openFirewallIfAsked, nextToNetworks, openWizard, stepHeading, stepList } from '../lib/app.mjs';

// The two example `vic-machine create` commands of the original's documentation, one per line.
const EXAMPLES = new URL('../fixtures/vic-machine-create-examples.txt', import.meta.url);
const expected = (e) => !/status of 401/.test(e);

/** The example command lines of the fixture, one per non-empty line. */
async function exampleCommands() {
  const text = await readFile(EXAMPLES, 'utf8');
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

async function axeSerious(page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('new VCH wizard', () => {
  let server;
  let browser;

  before(async () => {
    await mkdir(artifactsDir, { recursive: true });
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('fills every step from the inventory pickers, with screenshots and no serious axe violations', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    try {
      await openWizard(page, server.url);
      const violations = {};
      const check = async (title) => {
        await page.screenshot({ path: path.join(artifactsDir, `step-${STEPS.indexOf(title) + 1}-${title.replace(/ /g, '-').toLowerCase()}.png`), fullPage: true });
        const v = await axeSerious(page);
        if (v.length) violations[title] = v;
      };

      await page.getByRole('textbox', { name: 'Name', exact: true }).fill('vch-e2e');
      await check('General');
      await next(page, 'Compute capacity');

      // The compute tree shows DRS and lets the person pick the cluster.
      await page.getByRole('group', { name: 'Compute resource' }).getByText('cluster, DRS on').first().waitFor();
      await page.getByRole('radio', { name: /DC0_C0/ }).check();
      assert.equal(await page.getByRole('textbox', { name: 'Compute resource path' }).inputValue(), '/DC0/host/DC0_C0');
      await openFirewallIfAsked(page);
      await check('Compute capacity');
      await next(page, 'Storage capacity');

      // Datastores with free space, from the snapshot.
      const datastores = page.getByRole('table', { name: /Datastores the chosen compute resource can use/ });
      await datastores.getByRole('row', { name: /LocalDS_0/ }).waitFor();
      assert.match(await datastores.textContent(), /GiB/);
      await page.getByRole('combobox', { name: 'Image datastore' }).fill('LocalDS_0');
      await check('Storage capacity');
      await next(page, 'Networks');

      // Port groups of every kind the cluster sees are offered; a typed name stays possible.
      const offered = await page.locator('#port-groups option').evaluateAll((os) => os.map((o) => `${o.value}|${o.textContent}`));
      assert.deepEqual(offered.sort(), ['DC0_DVPG0|distributed port group', 'VM Network|standard port group']);
      await page.getByRole('combobox', { name: 'Bridge network' }).fill('DC0_DVPG0');
      await page.getByRole('combobox', { name: 'Public network' }).fill('VM Network');
      const picture = page.getByRole('img', { name: /Network topology/ });
      await page.waitForFunction(() => /NIC 1 on port group DC0_DVPG0 carries bridge/.test(document.querySelector('#topology-desc')?.textContent));
      assert.ok(await picture.isVisible());
      await check('Networks');
      await next(page, 'Security');
      await check('Security');
      await next(page, 'Registry access');
      await page.getByRole('textbox', { name: 'Insecure registries' }).fill('registry.local:5000');
      await check('Registry access');
      await next(page, 'Operations user');
      await page.getByRole('textbox', { name: 'Operations user' }).fill('ops@vsphere.local');
      // T14: the wizard cannot prompt for it later, so the password is asked for here.
      await page.getByLabel('Operations password').fill('ops-s3cret');
      await check('Operations user');
      await next(page, 'Summary');

      const networks = page.getByRole('region', { name: 'Networks' });
      assert.match(await networks.textContent(), /Bridge networkDC0_DVPG0/);
      const command = page.getByRole('region', { name: 'vic-machine command line' });
      await command.getByRole('radio', { name: 'Linux' }).check();
      const linux = await command.getByLabel('Command line').textContent();
      assert.match(linux, /^\.\/vic-machine-linux create/);
      assert.match(linux, /--bridge-network DC0_DVPG0/);
      assert.match(linux, /--compute-resource \/DC0\/host\/DC0_C0/);
      await command.getByRole('radio', { name: 'Windows' }).check();
      assert.match(await command.getByLabel('Command line').textContent(), /^vic-machine-windows create .*--insecure-registry registry.local:5000/);
      await check('Summary');

      const validated = page.waitForRequest((r) => r.url().endsWith('/api/validate') && r.method() === 'POST');
      await page.getByRole('button', { name: 'Finish' }).click();
      assert.equal((await validated).postDataJSON().general.name, 'vch-e2e', 'Finish asks the server for the authoritative check');
      // Either the lead's create endpoint answers with a job, or the wizard says it can't yet.
      await page.getByText(/not available on this server yet|Creating vch-e2e|server found problems|Could not create/).first().waitFor({ timeout: 30_000 });
      const finished = await page.locator('#finish-status, h1').allTextContents();
      // The outcome depends on the server: it may refuse with inventory findings the browser's
      // rules don't have (the simulator's hosts block 2377/tcp), say create isn't there yet, or start.
      assert.ok(finished.some((t) => /not available on this server yet|Creating vch-e2e|server found problems with the current inventory:.+/.test(t)), finished.join(' | '));
      await page.screenshot({ path: path.join(artifactsDir, 'finish.png'), fullPage: true });
      // A started create would leave a VCH holding DC0_DVPG0 as its bridge for the next tests
      // (the inventory rules refuse a bridge another VCH uses): roll it back (tests/deploy covers it).
      const cancel = page.getByRole('button', { name: 'Cancel and roll back' });
      if (await cancel.isVisible().catch(() => false)) {
        await cancel.click();
        await page.locator('#job-outcome').getByText(/Cancelled\.|failed|lost/).waitFor({ timeout: 60_000 });
      }

      assert.deepEqual(violations, {}, 'serious or critical axe violations');
      assert.deepEqual(errors.filter(expected), []);
    } finally {
      await page.close();
    }
  });

  test('a bridge equal to the public network shows on both fields without Next, and goes when fixed', async () => {
    const page = await browser.context.newPage();
    try {
      await openWizard(page, server.url);
      await nextToNetworks(page);
      const bridge = page.getByRole('combobox', { name: 'Bridge network' });
      const pub = page.getByRole('combobox', { name: 'Public network' });
      await pub.fill('DC0_DVPG0');
      await pub.press('Tab');
      await bridge.fill('DC0_DVPG0');
      await bridge.press('Tab');
      for (const field of [bridge, pub]) {
        await page.waitForFunction((el) => el.getAttribute('aria-invalid') === 'true', await field.elementHandle());
        assert.match(await describedBy(field), /also used by the public/);
      }
      assert.equal(await stepHeading(page).textContent(), 'Networks', 'nothing navigated');
      assert.match(await stepList(page).getByRole('button', { name: /Networks/ }).textContent(), /1 error/);
      assert.match(await page.locator('#topology-desc').textContent(), /has an error/);
      await page.screenshot({ path: path.join(artifactsDir, 'networks-bridge-equals-public.png'), fullPage: true });

      await pub.fill('VM Network');
      for (const field of [bridge, pub]) {
        await page.waitForFunction((el) => el.getAttribute('aria-invalid') !== 'true', await field.elementHandle());
        assert.doesNotMatch(await describedBy(field), /also used by/);
      }
      assert.doesNotMatch(await stepList(page).getByRole('button', { name: /Networks/ }).textContent(), /error/);
    } finally {
      await page.close();
    }
  });

  test('a container gateway outside its range is an error on the range; Next is refused and focuses it', async () => {
    const page = await browser.context.newPage();
    try {
      await openWizard(page, server.url);
      await nextToNetworks(page);
      await page.getByRole('combobox', { name: 'Bridge network' }).fill('DC0_DVPG0');
      await openDisclosure(page, 'Container networks');
      await page.getByRole('button', { name: 'Add container network' }).click();
      await page.getByRole('combobox', { name: 'Container network 1: port group' }).fill('VM Network');
      // A port group name with a space needs a Docker name (N14).
      await page.getByRole('textbox', { name: 'Container network 1: name in Docker' }).fill('vmnet');
      await page.getByRole('textbox', { name: 'Container network 1: gateway' }).fill('10.10.0.1/24');
      const ranges = page.getByRole('textbox', { name: 'Container network 1: IP ranges' });
      await ranges.fill('10.20.0.10-10.20.0.20');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.waitForFunction(() => document.activeElement?.getAttribute('aria-invalid') === 'true');
      assert.equal(await stepHeading(page).textContent(), 'Networks');
      assert.equal(await ranges.getAttribute('aria-invalid'), 'true');
      assert.match(await describedBy(ranges), /10\.20\.0\.10-10\.20\.0\.20/);
      await page.getByRole('alert').filter({ hasText: 'This page has' }).waitFor();
      await page.screenshot({ path: path.join(artifactsDir, 'networks-container-range.png'), fullPage: true });
      await ranges.fill('10.10.0.10-10.10.0.20');
      await page.waitForFunction((el) => el.getAttribute('aria-invalid') !== 'true', await ranges.elementHandle());
      // With the range fixed Next goes on, unless the inventory rules still object to something
      // else on the page (the simulator has two port groups for three roles here).
      await page.getByRole('button', { name: 'Next' }).click();
      await page.waitForFunction(() => document.querySelector('#wizard-step-heading')?.textContent === 'Security' || document.querySelector('#wizard-step-errors'));
      const left = await page.locator('#wizard-step-errors').allTextContents();
      assert.ok(left.every((t) => !/10\.10\.0\.10|IP range/.test(t)), left.join(' | '));
    } finally {
      await page.close();
    }
  });

  test('a port group that does not exist is flagged with suggestions', async () => {
    const page = await browser.context.newPage();
    try {
      await openWizard(page, server.url);
      await nextToNetworks(page);
      const pub = page.getByRole('combobox', { name: 'Public network' });
      await pub.fill('DC0_DVPG');
      await pub.press('Tab');
      // NV9 from the inventory-aware rules, against the browser's cached snapshot.
      await page.waitForFunction((el) => el.getAttribute('aria-invalid') === 'true', await pub.elementHandle());
      assert.match(await describedBy(pub), /DC0_DVPG/);
      const suggestion = page.getByRole('button', { name: 'DC0_DVPG0' });
      await suggestion.click();
      assert.equal(await pub.inputValue(), 'DC0_DVPG0');
      await page.waitForFunction((el) => el.getAttribute('aria-invalid') !== 'true', await pub.elementHandle());
    } finally {
      await page.close();
    }
  });

  test('imports both vic-machine commands of a seed document and fills the wizard', async () => {
    const commands = await exampleCommands();
    assert.equal(commands.length, 2);
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    try {
      await openWizard(page, server.url);
      for (const [i, line] of commands.entries()) {
        await goToStep(page, 'General');
        await openDisclosure(page, 'Import a vic-machine command line');
        await page.getByRole('textbox', { name: 'vic-machine command line' }).fill(line);
        await page.getByRole('button', { name: 'Import', exact: true }).click();
        await page.getByText('Imported. Review each step').waitFor();
        assert.equal(await page.getByRole('textbox', { name: 'Name', exact: true }).inputValue(), 'vch1');

        // Every step is reachable after an import, and its values are in place.
        await goToStep(page, 'Storage capacity');
        assert.equal(await page.getByRole('combobox', { name: 'Image datastore' }).inputValue(), 'datastore1');
        await goToStep(page, 'Networks');
        assert.equal(await page.getByRole('combobox', { name: 'Bridge network' }).inputValue(), 'vch1-bridge');
        await openDisclosure(page, 'Client and management networks');
        assert.equal(await page.getByRole('combobox', { name: 'Management network', exact: true }).inputValue(), 'network 1');
        assert.equal(await page.getByRole('combobox', { name: 'Client network', exact: true }).inputValue(), 'network 2');
        assert.equal(await page.getByRole('checkbox', { name: /asymmetric routes/ }).isChecked(), i === 1);
        await goToStep(page, 'Security');
        if (i === 0) {
          await openDisclosure(page, 'Turn TLS off');
          assert.equal(await page.getByRole('checkbox', { name: /No TLS/ }).isChecked(), true);
        } else {
          assert.equal(await page.getByRole('checkbox', { name: /Do not verify client certificates/ }).isChecked(), true);
        }
        await goToStep(page, 'Summary');
        const linux = page.getByRole('region', { name: 'vic-machine command line' });
        await linux.getByRole('radio', { name: 'Linux' }).check();
        const text = await linux.getByLabel('Command line').textContent();
        assert.match(text, /--management-network 'network 1'/);
        assert.doesNotMatch(text, /password/);
        await page.screenshot({ path: path.join(artifactsDir, `import-${i + 1}-summary.png`), fullPage: true });
      }
      assert.deepEqual(errors.filter(expected), []);
    } finally {
      await page.close();
    }
  });

  test('dark theme has no serious axe violations on the networks step', async () => {
    const page = await browser.context.newPage();
    try {
      await openWizard(page, `${server.url}?theme=dark`);
      await nextToNetworks(page);
      await page.getByRole('combobox', { name: 'Bridge network' }).fill('VM Network');
      await page.getByRole('combobox', { name: 'Bridge network' }).press('Tab');
      await page.screenshot({ path: path.join(artifactsDir, 'networks-dark.png'), fullPage: true });
      assert.deepEqual(await axeSerious(page), []);
    } finally {
      await page.close();
    }
  });
});
