// Starts the real `vch serve --simulator` on a free port and hands back its URL.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export function vchBinary() {
  if (process.env.VCH_BIN) return process.env.VCH_BIN;
  const targetDir = process.env.CARGO_TARGET_DIR || '/var/tmp/vch-target';
  return path.join(targetDir, 'debug', 'vch');
}

export function uiDir() {
  return process.env.VCH_UI_DIR || path.join(repoRoot, 'dist');
}

const STARTUP_TIMEOUT_MS = 60_000;

/** `VCH_E2E_TLS=1` serves HTTPS (a certificate generated into a scratch state directory). */
export function usesTls() {
  return process.env.VCH_E2E_TLS === '1';
}

/**
 * Resolves to `{ url, stop }`; `stop()` is safe to call more than once. `args` are more
 * `vch serve` arguments (e.g. `--appliance-iso`, `--bootstrap-iso`).
 */
export async function startServer({ args = [] } = {}) {
  const scratch = await mkdtemp(path.join(tmpdir(), 'vch-e2e-'));
  const urlFile = path.join(scratch, 'url');
  const tlsArgs = usesTls() ? ['--tls', '--state-dir', path.join(scratch, 'state')] : [];
  // The tests' own fetch() calls reach only this loopback server, whose certificate was just
  // generated and is trusted by nobody.
  if (usesTls()) process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  const child = spawn(
    vchBinary(),
    ['serve', '--simulator', '--listen', '127.0.0.1:0', '--url-file', urlFile, ...tlsArgs, ...args],
    { env: { ...process.env, VCH_UI_DIR: uiDir() }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let exited = null;
  const exitPromise = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    }),
  );
  child.on('error', (err) => {
    exited = { code: null, signal: null, error: err };
  });

  const stop = async () => {
    if (exited === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exitPromise;
      clearTimeout(timer);
    }
    await rm(scratch, { recursive: true, force: true });
  };

  try {
    const url = await waitForUrl(urlFile, () => exited, () => output);
    return { url, stop, output: () => output };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitForUrl(urlFile, exited, output) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const status = exited();
    if (status !== null) {
      throw new Error(`vch serve exited early (${JSON.stringify(status)}):\n${output()}`);
    }
    // The server writes the file non-atomically: only trust a complete URL.
    const text = await readFile(urlFile, 'utf8').catch(() => '');
    if (/^https?:\/\/\S+\/$/.test(text.trim())) return text.trim();
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`vch serve wrote no URL within ${STARTUP_TIMEOUT_MS} ms:\n${output()}`);
}
