// Picking a port group out of thousands by typing part of its name, as a person does: the field's
// list of known port groups offers it, the finding under the field suggests it, a click puts it
// in the field and the finding goes. Shared by the e2e test and the vCenter-scale bench.
import assert from 'node:assert/strict';
import { describedBy } from './app.mjs';

/** Types `typed` into the port-group field labelled `label`, picks `expected` and checks it took. */
export async function pickPortGroupByTyping(page, label, typed, expected) {
  const field = page.getByRole('combobox', { name: label });
  await field.fill(typed);
  // The browser's own list matches on a part of the value: the field's datalist must offer it.
  const offered = await field.evaluate(
    (el, part) => [...(el.list?.options ?? [])].map((o) => o.value).filter((v) => v.includes(part)),
    typed,
  );
  assert.ok(offered.includes(expected), `the field's list offers ${expected}: ${offered.slice(0, 5)}`);
  await field.press('Tab');
  assert.equal(await field.getAttribute('aria-invalid'), 'true', 'a part of a name is not a port group');
  const message = await describedBy(field);
  assert.match(message, new RegExp(`Did you mean:\\s*${expected}`), message);
  const suggestion = page.locator('.field', { has: field }).getByRole('button', { name: expected, exact: true });
  await suggestion.click();
  await page.waitForFunction(
    ([sel, want]) => document.querySelector(sel)?.value === want,
    [`#${await field.getAttribute('id')}`, expected],
  );
  await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('aria-invalid') !== 'true', `#${await field.getAttribute('id')}`);
  assert.equal(await field.inputValue(), expected);
  assert.doesNotMatch(await describedBy(field), new RegExp(typed), 'its finding cleared');
  return `typed "${typed}", ${offered.length} offered by the list, picked ${expected} from the finding's suggestions`;
}
