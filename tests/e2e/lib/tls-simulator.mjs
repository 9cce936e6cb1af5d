// A second vSphere simulator with a freshly generated certificate no one trusts, to drive the
// untrusted-certificate confirmation against the real proxy.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function vcsimBinary() {
  return process.env.VCH_VCSIM_BIN || path.join(process.env.CARGO_TARGET_DIR || '/var/tmp/vch-target', 'vch-vcsim');
}

export async function startTlsSimulator({ user = 'alice', password = 's3cret' } = {}) {
  const scratch = await mkdtemp(path.join(tmpdir(), 'vch-tls-sim-'));
  const urlFile = path.join(scratch, 'url');
  // -exit-on-stdin-eof: the simulator dies with this process even if stop() is never reached.
  const child = spawn(
    vcsimBinary(),
    ['-l', '127.0.0.1:0', '-urlfile', urlFile, '-exit-on-stdin-eof', '-tls-generate', path.join(scratch, 'tls'), '-user', user, '-pass', password],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let exited = false;
  child.on('exit', () => (exited = true));
  const stop = async () => {
    if (!exited) {
      child.stdin.end();
      child.kill('SIGTERM');
    }
    await rm(scratch, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const text = (await readFile(urlFile, 'utf8').catch(() => '')).trim();
    const m = text.match(/^https:\/\/[^@]*@([^/]+)\/sdk$/);
    if (m) return { host: m[1], user, password, stop };
    if (exited) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error('the TLS simulator did not start');
}
