// Headless Debian Chromium through playwright-core; never a downloaded browser.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const artifactsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../artifacts');

const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A fresh profile per run; the vSphere Client's plugin iframe is about 1280×720. */
export async function launchBrowser() {
  const profile = await mkdtemp(path.join(tmpdir(), 'vch-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    // headless=false keeps Playwright from adding its own headless flag next to ours.
    headless: false,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 720 },
    // VCH_E2E_TLS=1: the server's certificate is self-signed (see lib/server.mjs).
    ignoreHTTPSErrors: process.env.VCH_E2E_TLS === '1',
  });
  const close = async () => {
    await context.close().catch(() => {});
    await rm(profile, { recursive: true, force: true });
  };
  return { context, close };
}

/** Collects uncaught page errors and console errors so a test can assert the app ran cleanly. */
export function watchErrors(page) {
  const errors = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  return errors;
}
