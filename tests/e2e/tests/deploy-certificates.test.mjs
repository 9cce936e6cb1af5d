// The wizard's path for certificates (issue 10): connect to a simulator whose certificate must be
// confirmed, give a client CA and a registry CA as files in the Security and Registry steps,
// create, play the appliance, then read the VM's extraConfig back independently with pyvmomi
// (tests/python/verify_vch.py): both CA lists hold exactly the given certificates and
// `connect/target_thumbprint` is the simulator's SHA-1 thumbprint, the one confirmed at connect.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { artifactsDir, launchBrowser, watchErrors } from '../lib/browser.mjs';
import { startServer } from '../lib/server.mjs';
import { startTlsSimulator } from '../lib/tls-simulator.mjs';
import { next, nextToNetworks } from '../lib/app.mjs';
import { playAppliance, waitForPoweredOnVm } from '../lib/appliance.mjs';

const run = promisify(execFile);
// The app asks for the current session at start (401 before connecting); the untrusted
// certificate's first login answers 422 (checked below).
const expected = (e) => !/status of (401|422)/.test(e);
const shot = (page, name) => page.screenshot({ path: path.join(artifactsDir, `${name}.png`), fullPage: true });
const verifyScript = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../python/verify_vch.py');

const CA_KEY = 'guestinfo.vice./cert/CertificateAuthorities';
const REGISTRY_CA_KEY = 'guestinfo.vice./cert/RegistryCertificateAuthorities';
const THUMBPRINT_KEY = 'guestinfo.vice./connect/target_thumbprint';

/** A self-signed CA certificate named `cn`, made by openssl into `dir`; resolves to its file. */
async function makeCa(dir, cn) {
  const base = path.join(dir, cn.replace(/\W+/g, '-'));
  await run('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30',
    '-keyout', `${base}.key`, '-out', `${base}.pem`, '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE',
  ]);
  return `${base}.pem`;
}

/** The SHA-1 thumbprint of the certificate served at `host` (`ip:port`), as vSphere prints it. */
function sha1Thumbprint(host) {
  const [hostname, port] = host.split(':');
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: hostname, port: Number(port), rejectUnauthorized: false }, () => {
      resolve(socket.getPeerCertificate().fingerprint);
      socket.end();
    });
    socket.on('error', reject);
  });
}

/** pyvmomi's verdict on the VCH named `name` against `expect` (verify_vch.py's format). */
async function verify(sim, dir, expect) {
  const file = path.join(dir, 'expect.json');
  await writeFile(file, JSON.stringify(expect));
  const { stdout } = await run('python3', [verifyScript, `https://${sim.host}/sdk`, sim.user, file], {
    env: { ...process.env, VCH_PASSWORD: sim.password },
  }).catch((err) => ({ stdout: err.stdout ?? '', stderr: err.stderr }));
  return JSON.parse(stdout.trim() || '{"ok":false,"failures":["verify_vch.py printed nothing"]}');
}

describe('certificates through the wizard', () => {
  let server;
  let browser;
  let sim;
  let dir;

  before(async () => {
    await mkdir(artifactsDir, { recursive: true });
    dir = await mkdtemp(path.join(tmpdir(), 'vch-e2e-certs-'));
    server = await startServer();
    browser = await launchBrowser();
    sim = await startTlsSimulator();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await sim?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the client CA and registry CA given as files reach extraConfig, with the confirmed thumbprint', async () => {
    const page = await browser.context.newPage();
    const errors = watchErrors(page);
    // The first login's 422 is the untrusted-certificate answer the prompt is made from.
    const refused = [];
    page.on('response', (r) => r.status() === 422 && refused.push(`${r.request().method()} ${new URL(r.url()).pathname}`));
    const name = 'vch-certs-e2e';
    const caFile = await makeCa(dir, 'e2e user CA');
    const registryFile = await makeCa(dir, 'e2e registry CA');
    const notPem = path.join(dir, 'not-a-certificate.pem');
    await writeFile(notPem, 'this is not a certificate\n');
    const [ca, registry] = await Promise.all([readFile(caFile, 'utf8'), readFile(registryFile, 'utf8')]);
    let docker;
    try {
      // Connect to the TLS simulator, confirming its certificate as a person would.
      await page.context().clearCookies();
      await page.goto(server.url);
      await page.evaluate(() => localStorage.clear());
      await page.getByRole('textbox', { name: 'Server address' }).fill(sim.host);
      await page.getByRole('textbox', { name: 'User name' }).fill(sim.user);
      await page.getByLabel('Password').fill(sim.password);
      await page.getByRole('button', { name: 'Connect', exact: true }).click();
      const prompt = page.getByRole('region', { name: "The server's certificate is not trusted" });
      await prompt.waitFor();
      const shownSha1 = (await prompt.locator('dt:text("SHA-1 thumbprint") + dd').textContent()).trim();
      const simSha1 = await sha1Thumbprint(sim.host);
      assert.equal(shownSha1, simSha1, 'the prompt shows the certificate the simulator serves');
      await prompt.getByRole('button', { name: 'Trust this certificate and connect' }).click();
      await page.getByText(/Inventory: 1 datacenter/).waitFor({ timeout: 30_000 });

      await page.getByRole('button', { name: 'New Virtual Container Host' }).click();
      await page.getByRole('heading', { level: 1, name: 'New Virtual Container Host' }).waitFor();
      await page.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
      await nextToNetworks(page);
      await page.getByRole('combobox', { name: 'Bridge network' }).fill('DC0_DVPG0');
      await page.getByRole('combobox', { name: 'Public network' }).fill('VM Network');
      await next(page, 'Security');

      // A file that is no certificate is refused live on the field, and goes with the file.
      const clientCas = page.getByLabel('Client certificate authorities', { exact: true });
      const clientList = page.getByRole('list', { name: 'Client certificate authorities: chosen files' });
      await clientCas.setInputFiles(notPem);
      await clientList.getByText('not-a-certificate.pem').waitFor();
      await page.waitForFunction((el) => el.getAttribute('aria-invalid') === 'true', await clientCas.elementHandle());
      await shot(page, 'certs-1-not-a-certificate');
      await clientList.getByRole('button', { name: 'Remove not-a-certificate.pem' }).click();
      await page.waitForFunction((el) => el.getAttribute('aria-invalid') !== 'true', await clientCas.elementHandle());

      await clientCas.setInputFiles(caFile);
      await clientList.getByText(/e2e-user-CA\.pem/).waitFor();
      await clientList.getByText('(read)').waitFor();
      assert.notEqual(await clientCas.getAttribute('aria-invalid'), 'true', 'a CA certificate is accepted');
      await shot(page, 'certs-2-client-ca');

      await next(page, 'Registry access');
      const registryCas = page.getByLabel('Registry certificate authorities', { exact: true });
      const registryList = page.getByRole('list', { name: 'Registry certificate authorities: chosen files' });
      await registryCas.setInputFiles(registryFile);
      await registryList.getByText(/e2e-registry-CA\.pem/).waitFor();
      await registryList.getByText('(read)').waitFor();
      assert.notEqual(await registryCas.getAttribute('aria-invalid'), 'true');
      await next(page, 'Operations user');
      await next(page, 'Summary');
      await shot(page, 'certs-3-summary');

      const created = page.waitForResponse((r) => r.url().endsWith('/api/vchs') && r.request().method() === 'POST', { timeout: 60_000 });
      await page.getByRole('button', { name: 'Finish' }).click();
      const response = await created;
      assert.equal(response.status(), 202, await response.text());
      // The configuration itself (no operations password beside it).
      const sent = response.request().postDataJSON();
      const config = sent.config ?? sent;
      // What the browser read is what it sent: the files' contents, not only their names.
      assert.deepEqual(config.security.tls_ca.map((f) => f.pem), [ca]);
      assert.deepEqual(config.registry.registry_ca.map((f) => f.pem), [registry]);
      const job = (await response.json()).job;

      await page.getByRole('heading', { level: 1, name: `Creating ${name}` }).waitFor();
      const vm = await waitForPoweredOnVm(page, job);
      const sdk = `https://${encodeURIComponent(sim.user)}:${encodeURIComponent(sim.password)}@${sim.host}/sdk`;
      docker = await playAppliance(sdk, vm, '127.0.0.97');
      const outcome = page.locator('#job-outcome');
      await outcome.getByText('Done.').waitFor({ timeout: 60_000 });
      // The played appliance verifies clients against the CA it read from extraConfig; this
      // machine has no certificate from the user's CA, so the check is the expected warning.
      assert.match(await outcome.textContent(), /refused this machine's TLS handshake as expected/);
      await shot(page, 'certs-4-created');

      // Independently of vch: pyvmomi reads the appliance VM's extraConfig.
      const verdict = await verify(sim, dir, {
        name,
        present: true,
        extra_config: {
          [CA_KEY]: Buffer.from(ca).toString('base64'),
          [REGISTRY_CA_KEY]: Buffer.from(registry).toString('base64'),
          [THUMBPRINT_KEY]: simSha1,
        },
      });
      assert.equal(verdict.ok, true, JSON.stringify(verdict));
      assert.ok(verdict.checks >= 4, JSON.stringify(verdict));
      assert.deepEqual(refused, ['POST /api/session']);
      assert.deepEqual(errors.filter(expected), []);
    } finally {
      await docker?.close();
      await page.close();
    }
  });
});
