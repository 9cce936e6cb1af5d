// The wizard shell: step list, Back/Next/Finish/Cancel and focus, driven by keyboard and mouse.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import AxeBuilder from '@axe-core/playwright';
import { artifactsDir, launchBrowser, watchErrors } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';

const STEPS = [
  'General',
  'Compute capacity',
  'Storage capacity',
  'Networks',
  'Security',
  'Registry access',
  'Operations user',
  'Summary',
];

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

  async function openWizard(page) {
    await page.goto(server.url);
    await page.getByRole('button', { name: 'New Virtual Container Host' }).click();
    await page.getByRole('heading', { level: 1, name: 'New Virtual Container Host' }).waitFor();
  }

  const stepList = (page) => page.getByRole('navigation', { name: 'Wizard steps' });
  const currentStep = (page) => stepList(page).locator('[aria-current="step"]');
  const stepHeading = (page) => page.locator('#wizard-step-heading');

  test('walks the eight steps with Next and Back, keeping focus on the step heading', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    try {
      await openWizard(page);
      const items = stepList(page).getByRole('listitem');
      assert.deepEqual(
        (await items.allTextContents()).map((t) => t.replace(/^\d+/, '')),
        STEPS,
      );
      assert.equal(await currentStep(page).textContent(), '1General');
      // Steps not reached yet can't be jumped to.
      assert.equal(await stepList(page).getByRole('button', { name: /Networks/ }).isDisabled(), true);
      assert.equal(await page.getByRole('button', { name: 'Back' }).isDisabled(), true);

      for (const [i, title] of STEPS.entries()) {
        assert.equal(await stepHeading(page).textContent(), title);
        assert.match(await currentStep(page).textContent(), new RegExp(`${title}$`));
        if (i + 1 < STEPS.length) {
          await page.getByRole('button', { name: 'Next' }).click();
          await page.waitForFunction((t) => document.activeElement?.textContent === t, STEPS[i + 1]);
        }
      }
      assert.equal(await page.getByRole('button', { name: 'Next' }).count(), 0);
      await page.getByRole('button', { name: 'Finish' }).waitFor();

      await page.getByRole('button', { name: 'Back' }).click();
      await page.waitForFunction(() => document.activeElement?.id === 'wizard-step-heading');
      assert.equal(await stepHeading(page).textContent(), 'Operations user');

      // Visited steps stay reachable from the list, forwards too.
      await stepList(page).getByRole('button', { name: /Networks/ }).click();
      assert.equal(await stepHeading(page).textContent(), 'Networks');
      await stepList(page).getByRole('button', { name: /Summary/ }).click();
      assert.equal(await stepHeading(page).textContent(), 'Summary');
      await page.screenshot({ path: path.join(artifactsDir, 'wizard-summary.png') });

      await page.getByRole('button', { name: 'Edit Storage capacity' }).click();
      assert.equal(await stepHeading(page).textContent(), 'Storage capacity');
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
    }
  });

  test('Enter submits Next, and Finish and Cancel return to the overview', async () => {
    const page = await browser.context.newPage();
    try {
      await openWizard(page);
      // Keyboard only: Enter on the focused primary button submits the step form.
      await page.getByRole('button', { name: 'Next' }).focus();
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.activeElement?.textContent === 'Compute capacity');

      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('heading', { level: 1, name: 'Virtual Container Hosts' }).waitFor();
      await page.waitForFunction(() => document.activeElement?.id === 'new-vch');

      await page.keyboard.press('Enter');
      for (let i = 0; i < STEPS.length - 1; i++) {
        await page.getByRole('button', { name: 'Next' }).click();
      }
      await page.getByRole('button', { name: 'Finish' }).click();
      const notice = page.getByRole('status').filter({ hasText: 'The configuration is complete' });
      await notice.waitFor();
    } finally {
      await page.close();
    }
  });

  test('has no automatically detectable accessibility violations, light and dark', async () => {
    const page = await browser.context.newPage();
    try {
      for (const theme of ['light', 'dark']) {
        await page.goto(`${server.url}?theme=${theme}`);
        await page.getByRole('button', { name: 'New Virtual Container Host' }).click();
        await page.getByRole('button', { name: 'Next' }).click();
        await stepHeading(page).filter({ hasText: 'Compute capacity' }).waitFor();
        const results = await new AxeBuilder({ page }).analyze();
        const summary = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
        assert.deepEqual(summary, [], `axe violations in the ${theme} theme`);
        await page.screenshot({ path: path.join(artifactsDir, `wizard-${theme}.png`) });
      }
    } finally {
      await page.close();
    }
  });
});
