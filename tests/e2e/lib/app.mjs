// Steps every wizard test takes, located the way a person finds them: by role and name.
export const STEPS = [
  'General',
  'Compute capacity',
  'Storage capacity',
  'Networks',
  'Security',
  'Registry access',
  'Operations user',
  'Summary',
];

/** Connects through "Use the embedded simulator" and waits for the inventory. */
export async function connectToSimulator(page, url) {
  // Each test starts signed out: the session cookie is shared by every page of the context.
  await page.context().clearCookies();
  await page.goto(url);
  // A wizard draft kept by an earlier test of this origin would come back: start from none.
  await page.evaluate(() => localStorage.clear());
  await page.getByRole('button', { name: 'Use the embedded simulator' }).click();
  await page.getByRole('button', { name: 'New Virtual Container Host' }).waitFor();
  await page.getByText(/Inventory: 1 datacenter/).waitFor({ timeout: 30_000 });
}

export async function openWizard(page, url) {
  await connectToSimulator(page, url);
  await page.getByRole('button', { name: 'New Virtual Container Host' }).click();
  await page.getByRole('heading', { level: 1, name: 'New Virtual Container Host' }).waitFor();
}

export const stepList = (page) => page.getByRole('navigation', { name: 'Wizard steps' });
export const stepHeading = (page) => page.locator('#wizard-step-heading');

/** Clicks Next and waits for the given step's heading. */
export async function next(page, title) {
  await page.getByRole('button', { name: 'Next' }).click();
  await page.waitForFunction((t) => document.querySelector('#wizard-step-heading')?.textContent === t, title);
}

export async function goToStep(page, title) {
  await stepList(page).getByRole('button', { name: new RegExp(title) }).click();
  await page.waitForFunction((t) => document.querySelector('#wizard-step-heading')?.textContent === t, title);
}

/** Opens a `<details>` disclosure by its summary text, if it is closed. */
export async function openDisclosure(page, summary) {
  const details = page.locator('details', { has: page.locator('summary', { hasText: summary }) });
  if (!(await details.evaluate((d) => d.open))) {
    await details.locator('summary').first().click();
  }
}

/** The message shown for a field, read through its aria-describedby like assistive technology does. */
export async function describedBy(locator) {
  return locator.evaluate((el) =>
    (el.getAttribute('aria-describedby') || '')
      .split(/\s+/)
      .filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' '),
  );
}

/**
 * The stock simulator's host firewalls block 2377/tcp (rule F1, an error on the compute
 * resource): opens them through the wizard's button if it is offered, and waits for it to go.
 */
export async function openFirewallIfAsked(page, computeResource = 'DC0_C0') {
  const fix = page.getByRole('button', { name: `Allow 2377/tcp on the hosts of ${computeResource}` });
  if (await fix.isVisible().catch(() => false)) {
    await fix.click();
    await fix.waitFor({ state: 'detached', timeout: 30_000 });
  }
}

/**
 * From General to the Networks step with Next: on Compute it picks the DC0_C0 cluster (the
 * simulator has two compute resources, so one must be chosen) and opens its firewall if asked;
 * on Storage it types the image datastore.
 */
export async function nextToNetworks(page) {
  await next(page, 'Compute capacity');
  await page.getByRole('radio', { name: /DC0_C0/ }).check();
  await openFirewallIfAsked(page);
  await next(page, 'Storage capacity');
  // Several datastores: the image store has no default.
  await page.getByRole('combobox', { name: 'Image datastore' }).fill('LocalDS_0');
  await next(page, 'Networks');
}

/** General → Summary with the simulator's objects, an operations user with its password. */
export async function fillWizard(page, name) {
  await page.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
  await next(page, 'Compute capacity');
  await page.getByRole('radio', { name: /DC0_C0/ }).check();
  await openFirewallIfAsked(page);
  await next(page, 'Storage capacity');
  await page.getByRole('combobox', { name: 'Image datastore' }).fill('LocalDS_0');
  await next(page, 'Networks');
  await page.getByRole('combobox', { name: 'Bridge network' }).fill('DC0_DVPG0');
  await page.getByRole('combobox', { name: 'Public network' }).fill('VM Network');
  await next(page, 'Security');
  await next(page, 'Registry access');
  await next(page, 'Operations user');
  await page.getByRole('textbox', { name: 'Operations user' }).fill('ops@vsphere.local');
  await page.getByLabel('Operations password').fill('0ps-s3cret');
  await next(page, 'Summary');
}
