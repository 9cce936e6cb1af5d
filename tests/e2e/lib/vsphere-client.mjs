// The vSphere Client around a remote plugin view, played by a test host page
// (fixtures/vsphere-client/) that loads /plugin/index.html#<route> in an iframe and hands it a
// stub of the client's JavaScript SDK. Both are served on the vch server's origin with
// `page.route`, because vsphere-ui serves plugin views on its own origin, where
// /api/ui/htmlClientSdk.js is.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/vsphere-client');
export const VC_GUID = '5c1d2e8f-0a4b-4c3d-9e8f-7a6b5c4d3e2f';
export const TOKEN = 'stub-session-token-1234';

/**
 * Serves the fake client at `<origin>/ui/` and, unless `sdk` is false, the stub SDK where
 * vsphere-ui has it. Resolves to the list of SDK requests seen.
 */
export async function routeClient(page, origin, { sdk = true } = {}) {
  const sdkRequests = [];
  await page.route(
    (url) => url.origin === origin && url.pathname === '/ui/',
    (route) => route.fulfill({ path: path.join(fixtures, 'index.html'), contentType: 'text/html' }),
  );
  if (sdk) {
    await page.route(
      (url) => url.origin === origin && url.pathname === '/api/ui/htmlClientSdk.js',
      (route) => {
        sdkRequests.push(route.request().url());
        return route.fulfill({ path: path.join(fixtures, 'htmlClientSdk.js'), contentType: 'text/javascript' });
      },
    );
  }
  return sdkRequests;
}

/** Opens `view` in the fake client with context `objects`; resolves to the view's frame. */
export async function openInClient(page, origin, { view, title, objects = [], theme = 'light' }) {
  const params = new URLSearchParams({ view, title, theme, token: TOKEN });
  for (const o of objects) params.append('object', o);
  await page.goto(`${origin}/ui/?${params}`);
  return page.getByTitle(title).contentFrame();
}
