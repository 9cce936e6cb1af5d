// The vCenter-scale inventory snapshot (issue 14's large size: 40 clusters x 25 hosts, 2,000
// distributed port groups, 200 datastores, 2,100 existing-VCH rows), generated from `shared`'s own
// types by `cargo run -p shared --example big_snapshot`, and served to the page in place of the
// simulator's `GET /api/inventory` answer. VCH_BIG_SNAPSHOT names a file already generated.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
let cached = null;

/** The snapshot's JSON text (generated once per process). */
export function bigSnapshot() {
  if (cached === null) {
    cached = process.env.VCH_BIG_SNAPSHOT
      ? readFileSync(process.env.VCH_BIG_SNAPSHOT, 'utf8')
      : execFileSync('cargo', ['run', '--quiet', '--locked', '-p', 'shared', '--example', 'big_snapshot'], {
          cwd: repoRoot,
          encoding: 'utf8',
          maxBuffer: 256 * 1024 * 1024,
          stdio: ['ignore', 'pipe', 'inherit'],
        });
  }
  return cached;
}

/** Answers the page's inventory reads (`./api/inventory`, with or without `?refresh=true`) with it. */
export async function serveBigInventory(page) {
  const body = bigSnapshot();
  await page.route(/\/api\/inventory(\?.*)?$/, (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body }),
  );
}
