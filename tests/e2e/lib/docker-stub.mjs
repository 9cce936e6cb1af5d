// The appliance's Docker API, played by the test: reads the VCH's server certificate, key and
// client CAs from the appliance VM's extraConfig (the key sealed as the appliance reads it: a
// NaCl secretbox under the key in `guestinfo.ovfEnv`) and serves `GET /info` over HTTPS on the
// loopback address the test reports (docs/readiness.md says what create checks).
import https from 'node:https';
import http from 'node:http';

const rotl = (v, c) => ((v << c) | (v >>> (32 - c))) >>> 0;

/** The Salsa20 double rounds over a 16-word state (no feed-forward). */
function salsaRounds(input) {
  const x = Uint32Array.from(input);
  const qr = (a, b, c, d) => {
    x[b] ^= rotl((x[a] + x[d]) >>> 0, 7);
    x[c] ^= rotl((x[b] + x[a]) >>> 0, 9);
    x[d] ^= rotl((x[c] + x[b]) >>> 0, 13);
    x[a] ^= rotl((x[d] + x[c]) >>> 0, 18);
  };
  for (let i = 0; i < 10; i++) {
    qr(0, 4, 8, 12); qr(5, 9, 13, 1); qr(10, 14, 2, 6); qr(15, 3, 7, 11);
    qr(0, 1, 2, 3); qr(5, 6, 7, 4); qr(10, 11, 8, 9); qr(15, 12, 13, 14);
  }
  return x;
}

const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];
const words = (bytes) => Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readUInt32LE(i * 4));

function state(key, sixteen) {
  const k = words(key);
  const n = words(sixteen);
  return [SIGMA[0], k[0], k[1], k[2], k[3], SIGMA[1], n[0], n[1], n[2], n[3], SIGMA[2], k[4], k[5], k[6], k[7], SIGMA[3]];
}

/** XSalsa20 decryption of a NaCl secretbox (nonce 24 | tag 16 | ciphertext); the tag is not checked. */
export function openSecretbox(keyB64, sealedB64) {
  const key = Buffer.from(keyB64, 'base64');
  const raw = Buffer.from(sealedB64, 'base64');
  const nonce = raw.subarray(0, 24);
  const ciphertext = raw.subarray(40);
  const h = salsaRounds(state(key, nonce.subarray(0, 16)));
  const subkey = Buffer.alloc(32);
  [0, 5, 10, 15, 6, 7, 8, 9].forEach((w, i) => subkey.writeUInt32LE(h[w], i * 4));
  const out = Buffer.alloc(ciphertext.length);
  // Keystream bytes 0..31 are the Poly1305 key; the message starts at byte 32.
  for (let block = 0, offset = -32; offset < ciphertext.length; block++, offset += 64) {
    const counter = Buffer.alloc(8);
    counter.writeUInt32LE(block, 0);
    const input = state(subkey, Buffer.concat([nonce.subarray(16, 24), counter]));
    const x = salsaRounds(input);
    const stream = Buffer.alloc(64);
    for (let i = 0; i < 16; i++) stream.writeUInt32LE((x[i] + input[i]) >>> 0, i * 4);
    for (let i = 0; i < 64; i++) {
      const at = offset + i;
      if (at >= 0 && at < ciphertext.length) out[at] = ciphertext[at] ^ stream[i];
    }
  }
  return out.toString('utf8');
}

/**
 * Serves the stub Docker API of the VCH whose extraConfig is `extra` (key → value) on `ip`.
 * Resolves to `{ url, answered(), close() }` once listening.
 */
export async function startDockerStub(extra, ip) {
  const certB64 = extra['guestinfo.vice./cert/HostCertificate/Cert'];
  const sealedKey = extra['guestinfo.vice./cert/HostCertificate/Key@secret'];
  const casB64 = extra['guestinfo.vice./cert/CertificateAuthorities'];
  const stores = Object.keys(extra)
    .map((k) => k.match(/^guestinfo\.vice\.\/storage\/VolumeLocations\|([^/]+)\/Scheme$/)?.[1])
    .filter(Boolean);
  const driver = 'vSphere Integrated Containers v1.5.8 Backend Engine';
  const body = JSON.stringify({ Driver: driver, SystemStatus: [[driver, 'RUNNING'], [' VolumeStores', stores.join(' ')]] });
  let answered = 0;
  const handler = (req, res) => {
    if (req.method === 'GET' && req.url === '/info') {
      answered += 1;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
    } else {
      res.writeHead(404).end('{}');
    }
  };
  const tls = certB64 && sealedKey && certB64 !== '<nil>';
  let server;
  if (tls) {
    const keyPem = Buffer.from(openSecretbox(extra['guestinfo.ovfEnv'], sealedKey), 'base64').toString('utf8');
    const options = { cert: Buffer.from(certB64, 'base64'), key: keyPem };
    if (casB64 && casB64 !== '<nil>') Object.assign(options, { ca: Buffer.from(casB64, 'base64'), requestCert: true, rejectUnauthorized: true });
    server = https.createServer(options, handler);
  } else {
    server = http.createServer(handler);
  }
  const port = tls ? 2376 : 2375;
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ip, resolve);
    // A failed test must not keep its process alive.
    server.unref();
  });
  return {
    url: `${tls ? 'https' : 'http'}://${ip}:${port}/info`,
    answered: () => answered,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
