// Timing helpers shared by the benches (never by the tests: no timed assertions there).

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Types into the field `selector` (input events, as a keystroke makes) alternately a value the
 * validator refuses there and one it accepts, `edits` times, and measures in the page from the
 * input event to the DOM showing the field's new `aria-invalid`, and to the next frame.
 * Resolves to `{ dom: [ms], frame: [ms] }`.
 */
export function inputToDom(page, selector, invalidValue, validValue, edits = 40) {
  return page.evaluate(
    async ({ selector, invalidValue, validValue, edits }) => {
      const el = document.querySelector(selector);
      const out = { dom: [], frame: [] };
      for (let i = 0; i < edits; i++) {
        const wantInvalid = i % 2 === 0;
        const value = wantInvalid ? invalidValue.replace('{i}', String(i)) : validValue;
        const t0 = performance.now();
        const seen = new Promise((resolve) => {
          const check = () => (el.getAttribute('aria-invalid') === 'true') === wantInvalid;
          if (check()) return resolve(performance.now());
          const mo = new MutationObserver(() => {
            if (check()) {
              mo.disconnect();
              resolve(performance.now());
            }
          });
          mo.observe(document.querySelector('.wizard__content'), { attributes: true, subtree: true, childList: true });
        });
        el.value = value;
        el.dispatchEvent(new Event('input', { bubbles: true }));
        const t1 = await seen;
        const t2 = await new Promise((r) => requestAnimationFrame(() => r(performance.now())));
        out.dom.push(t1 - t0);
        out.frame.push(t2 - t0);
      }
      return out;
    },
    { selector, invalidValue, validValue, edits },
  );
}
