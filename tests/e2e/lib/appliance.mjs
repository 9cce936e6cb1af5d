// Plays the VCH appliance: the simulator never boots a guest, so a test reports the guest's IP
// address itself by reconfiguring the VM through the simulator's SOAP API (vcsim turns the
// `SET.guest.ipAddress` extraConfig key into the VM's guest IP).
import https from 'node:https';
import http from 'node:http';
import { startDockerStub } from './docker-stub.mjs';

/** The simulator the server talks to without credentials (`default_target` of `./api/health`). */
export async function simulatorUrl(serverUrl) {
  const health = await (await fetch(new URL('api/health', serverUrl))).json();
  if (!health.default_target) throw new Error('the server has no default target');
  return health.default_target;
}

function xmlEscape(text) {
  return String(text).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]);
}

const envelope = (body) =>
  '<?xml version="1.0" encoding="UTF-8"?>' +
  '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">' +
  `<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

/** One SOAP call; resolves to `{ status, body, cookie }`. The simulator's certificate is its own. */
function soap(sdkUrl, body, cookie) {
  const url = new URL(sdkUrl);
  const client = url.protocol === 'https:' ? https : http;
  const payload = envelope(body);
  return new Promise((resolve, reject) => {
    const request = client.request(
      {
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        rejectUnauthorized: false,
        headers: {
          'Content-Type': 'text/xml; charset=utf-8',
          SOAPAction: 'urn:vim25/7.0',
          'Content-Length': Buffer.byteLength(payload),
          ...(cookie ? { Cookie: cookie } : {}),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (d) => (text += d));
        response.on('end', () => {
          const set = [response.headers['set-cookie'] ?? []].flat().find((c) => c.startsWith('vmware_soap_session='));
          resolve({ status: response.statusCode, body: text, cookie: set ? set.split(';')[0] : cookie });
        });
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/** Logs in (any user/password works on the simulator) and returns the session cookie. */
async function login(sdkUrl) {
  const url = new URL(sdkUrl);
  const user = decodeURIComponent(url.username) || 'user';
  const password = decodeURIComponent(url.password) || 'pass';
  const { status, body, cookie } = await soap(
    sdkUrl,
    '<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this>' +
      `<userName>${xmlEscape(user)}</userName><password>${xmlEscape(password)}</password></Login>`,
  );
  if (status !== 200 || !cookie) throw new Error(`simulator login failed (${status}): ${body}`);
  return cookie;
}

/** Waits for a VM reconfigure task to end; throws if it failed. */
async function waitForTask(sdkUrl, cookie, task) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { body } = await soap(
      sdkUrl,
      '<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this>' +
        '<specSet><propSet><type>Task</type><pathSet>info.state</pathSet></propSet>' +
        `<objectSet><obj type="Task">${xmlEscape(task)}</obj></objectSet></specSet><options/></RetrievePropertiesEx>`,
      cookie,
    );
    const state = body.match(/<val[^>]*>(\w+)<\/val>/)?.[1];
    if (state === 'success') return;
    if (state === 'error') throw new Error(`ReconfigVM_Task ${task} failed: ${body}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`ReconfigVM_Task ${task} did not finish`);
}

/** Writes extraConfig `pairs` (`[[key, value], …]`) into the VM `vmId` (`vm-NN`). */
async function writeExtraConfig(sdkUrl, vmId, pairs) {
  const cookie = await login(sdkUrl);
  const options = pairs
    .map(([key, value]) => `<extraConfig xsi:type="OptionValue"><key>${xmlEscape(key)}</key><value xsi:type="xsd:string">${xmlEscape(value)}</value></extraConfig>`)
    .join('');
  const { status, body } = await soap(
    sdkUrl,
    `<ReconfigVM_Task xmlns="urn:vim25"><_this type="VirtualMachine">${xmlEscape(vmId)}</_this><spec>${options}</spec></ReconfigVM_Task>`,
    cookie,
  );
  const task = body.match(/<returnval[^>]*>([^<]+)<\/returnval>/)?.[1];
  if (status !== 200 || !task) throw new Error(`ReconfigVM_Task on ${vmId} failed (${status}): ${body}`);
  await waitForTask(sdkUrl, cookie, task);
}

/** Reports `ip` as the guest IP address of the VM `vmId` (`vm-NN`), as VMware Tools would. */
export async function reportGuestIp(sdkUrl, vmId, ip) {
  await writeExtraConfig(sdkUrl, vmId, [['SET.guest.ipAddress', ip]]);
}

/** Reports VMware Tools running in the VM `vmId`, which guest operations (debug) need. */
export async function reportToolsRunning(sdkUrl, vmId) {
  await writeExtraConfig(sdkUrl, vmId, [['SET.guest.toolsRunningStatus', 'guestToolsRunning']]);
}

const unescapeXml = (text) =>
  text.replace(/&(lt|gt|amp|quot|apos);/g, (_, e) => ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" })[e]);

/** The VM's extraConfig as key → value. */
async function readExtraConfig(sdkUrl, vmId) {
  const cookie = await login(sdkUrl);
  const { status, body } = await soap(
    sdkUrl,
    '<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this>' +
      '<specSet><propSet><type>VirtualMachine</type><pathSet>config.extraConfig</pathSet></propSet>' +
      `<objectSet><obj type="VirtualMachine">${xmlEscape(vmId)}</obj></objectSet></specSet><options/></RetrievePropertiesEx>`,
    cookie,
  );
  if (status !== 200) throw new Error(`reading ${vmId}'s extraConfig failed (${status}): ${body}`);
  const extra = {};
  for (const m of body.matchAll(/<key>([^<]*)<\/key>\s*<value[^>]*>([^<]*)<\/value>/g)) extra[unescapeXml(m[1])] = unescapeXml(m[2]);
  return extra;
}

/**
 * Plays the booted appliance: serves a stub Docker API at `ip` (a 127.0.0.x address), then
 * reports `ip` and its three components started. Resolves to the stub (`answered()`, `close()`).
 */
export async function playAppliance(sdkUrl, vmId, ip) {
  const stub = await startDockerStub(await readExtraConfig(sdkUrl, vmId), ip);
  await reportGuestIp(sdkUrl, vmId, ip);
  await writeExtraConfig(
    sdkUrl,
    vmId,
    ['docker-personality', 'port-layer', 'vicadmin'].map((c) => [`guestinfo.vice..init.sessions|${c}.started`, 'true']),
  );
  return stub;
}

/**
 * Follows a job's raw status (`GET ./api/jobs/<id>`) through the browser page's session until
 * the appliance VM is powered on, and returns its id (`vm-NN`).
 */
export async function waitForPoweredOnVm(page, jobId, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await page.evaluate(async (id) => {
      const r = await fetch(`./api/jobs/${encodeURIComponent(id)}`, { headers: { Accept: 'application/json' } });
      return r.ok ? r.json() : null;
    }, jobId);
    const events = status?.events ?? [];
    const vm = events
      .flatMap((e) => e.objects ?? [])
      .find((o) => o.kind === 'virtual_machine')?.id;
    const poweredOn = events.some((e) => e.step === 'power_on' && e.kind === 'finished');
    if (vm && poweredOn) return vm;
    if (status?.state && status.state !== 'running') throw new Error(`job ${jobId} ended: ${JSON.stringify(status).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`job ${jobId}: no powered-on VM within ${timeoutMs} ms`);
}

/**
 * Follows an upgrade or rollback job through the browser page's session and, once it waits for
 * the appliance's client IP (after its power-on), reports `ip` again as the restarted guest would.
 * Resolves when the IP was reported or the job ended without waiting for it.
 */
export async function reportIpWhenAwaited(page, jobId, sdkUrl, vmId, ip, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const status = await page.evaluate(async (id) => {
      const r = await fetch(`./api/jobs/${encodeURIComponent(id)}`, { headers: { Accept: 'application/json' } });
      return r.ok ? r.json() : null;
    }, jobId);
    if ((status?.events ?? []).some((e) => e.step === 'wait_for_ip')) {
      await reportGuestIp(sdkUrl, vmId, ip);
      return;
    }
    if (status?.state && status.state !== 'running') return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`job ${jobId} never waited for the client IP within ${timeoutMs} ms`);
}
