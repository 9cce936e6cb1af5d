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
