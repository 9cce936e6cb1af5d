// Figures for the report: validation time in the browser, input-to-DOM latency, bundle size and
// time to first render. Printed as `# perf:` lines; the asserts are the budgets. A bench, run by
// tests/bench/browser.sh, not by `npm test`: timings belong in benchmarks, not in the test suite.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { launchBrowser } from '../lib/browser.mjs';
import { startServer, uiDir } from '../lib/server.mjs';
import { nextToNetworks, openWizard } from '../lib/app.mjs';
import { inputToDom, median } from '../lib/perf.mjs';

/** Every role static and ten container networks: the heaviest configuration the wizard sees. */
function largeConfig() {
  const container_networks = Array.from({ length: 10 }, (_, i) => ({
    port_group: `cn-${i}`,
    alias: `net${i}`,
    gateway: `10.${100 + i}.0.1/24`,
    ip_ranges: [`10.${100 + i}.0.10-10.${100 + i}.0.200`],
    dns: ['10.0.0.53'],
    firewall: 'published',
  }));
  return {
    target: { server: 'vc.example.com', datacenter: 'DC0', user: 'administrator@vsphere.local' },
    general: { name: 'vch-large', syslog_address: 'tcp://syslog.example.com:514' },
    storage: { image_store: 'ds1/images', volume_stores: ['ds1/vols:default', 'nfs://nas/exports/v:nfs'] },
    network: {
      bridge: { port_group: 'bridge-pg', ip_range: '172.16.0.0/12', width: '16' },
      public: { port_group: 'public-pg', ip: '10.0.0.5/24', gateway: '10.0.0.1' },
      client: { port_group: 'client-pg', ip: '10.1.0.5/24', gateway: '10.50.0.0/16:10.1.0.1' },
      management: { port_group: 'mgmt-pg', ip: '10.2.0.5/24', gateway: '10.60.0.0/16:10.2.0.1' },
      dns_servers: ['10.0.0.53', '10.0.0.54'],
      container_networks,
    },
    registry: { insecure_registries: ['registry.local:5000'], whitelist_registries: ['*.example.com'] },
    operations: { ops_user: 'ops@vsphere.local' },
  };
}

describe('performance', () => {
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

  test('bundle: wasm + js + css compressed', async () => {
    const files = (await readdir(uiDir())).filter((f) => /\.(wasm|js|css)$/.test(f));
    let gz = 0;
    let br = 0;
    for (const f of files) {
      const bytes = await readFile(path.join(uiDir(), f));
      gz += gzipSync(bytes, { level: 9 }).length;
      br += brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    }
    console.log(`# perf: bundle gzip ${(gz / 1024).toFixed(1)} KiB, brotli ${(br / 1024).toFixed(1)} KiB (${files.join(', ')})`);
  });

  test('assets on the wire: precompressed siblings sent as they are', async () => {
    const files = (await readdir(uiDir())).filter((f) => /\.(wasm|js)$/.test(f));
    for (const f of files) {
      const response = await fetch(new URL(f, server.url), { headers: { 'accept-encoding': 'br, gzip' } });
      const encoding = response.headers.get('content-encoding');
      const length = Number(response.headers.get('content-length'));
      await response.arrayBuffer();
      console.log(`# perf: wire ${f}: ${encoding ?? 'identity'}, ${(length / 1024).toFixed(1)} KiB`);
      assert.ok(encoding === 'br' || encoding === 'gzip', `${f} compressed on the wire`);
    }
  });

  test('time to first render on loopback', async () => {
    const times = [];
    for (let i = 0; i < 5; i++) {
      const page = await browser.context.newPage();
      await page.context().clearCookies();
      await page.goto(server.url);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      times.push(await page.evaluate(() => performance.now()));
      await page.close();
    }
    console.log(`# perf: first render (navigation start to first heading) median ${median(times).toFixed(0)} ms over ${times.length}`);
  });

  test('validation of a large config, and input-to-DOM on the networks step', async () => {
    const page = await browser.context.newPage();
    try {
      await openWizard(page, server.url);
      const config = JSON.stringify(largeConfig());
      const validateMs = await page.evaluate((json) => window.vchPerf.validate(json, 200), config);
      console.log(`# perf: one full validation (all roles static, 10 container networks) median ${(validateMs * 1000).toFixed(1)} µs`);
      assert.ok(validateMs < 1, 'validation under 1 ms');

      await nextToNetworks(page);
      const bridge = page.getByRole('combobox', { name: 'Bridge network' });
      await bridge.fill('DC0_DVPG0');
      await bridge.press('Tab');
      // Alternate a value that collides with public (error on both fields) and one that doesn't;
      // time from the input event to the DOM showing the result, and to the next frame.
      const samples = await inputToDom(page, '#f-network-bridge-port_group', 'VM Network', 'DC0_DVPG0');
      console.log(`# perf: input event to updated DOM median ${median(samples.dom).toFixed(2)} ms; to next frame median ${median(samples.frame).toFixed(2)} ms (40 edits, 3-NIC picture + fields)`);
      assert.ok(median(samples.frame) < 34, 'within about one or two frames');
    } finally {
      await page.close();
    }
  });
});
