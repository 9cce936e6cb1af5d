// axe-core in the real page: the serious and critical violations, in light and dark.
import AxeBuilder from '@axe-core/playwright';

async function axeSerious(page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Serious or critical axe violations on the page in light and dark, by what was checked. */
export async function axeLightAndDark(page, what, into) {
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    const found = await axeSerious(page);
    if (found.length) into[`${what} (${scheme})`] = found;
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
