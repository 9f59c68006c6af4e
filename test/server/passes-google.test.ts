import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, importSPKI, jwtVerify } from 'jose';
import { encodePng } from '../../server/wallet/apple/png.js';
import {
  type GoogleServiceAccount,
  MAX_SAVE_JWT_LENGTH,
  SAVE_URL_PREFIX,
} from '../../server/wallet/google/save-link.js';
import { DEV_GOOGLE_ISSUER_ID } from '../../server/wallet/runtime.js';
import { devChain, tempDir } from '../fixtures/wallet/dev-chain.js';
import { createHarness, type Harness, PARTNER_ORIGIN } from '../helpers/harness.js';
import { clientSession, redeemedCredential } from '../helpers/passes.js';
import { type GoogleRestPeer, startGoogleRestPeer } from '../helpers/peers.js';

const serviceAccount = (): GoogleServiceAccount =>
  JSON.parse(readFileSync(devChain().paths.googleServiceAccount, 'utf8'));
const devPublicKey = () =>
  importSPKI(createPublicKey(serviceAccount().private_key).export({ format: 'pem', type: 'spki' }) as string, 'RS256');

/** A Google pass for a freshly redeemed credential of `h`. */
async function googlePass(h: Harness): Promise<{ url: string }> {
  const { ps } = await redeemedCredential(h);
  const res = await h.request('POST', '/api/3/passes', {
    token: ps,
    body: { platform: 'google' },
    headers: { origin: PARTNER_ORIGIN },
  });
  assert.equal(res.status, 200, res.text);
  return res.body;
}

async function verifySaveUrl(url: string) {
  assert.ok(url.startsWith(SAVE_URL_PREFIX), url);
  const jwt = url.slice(SAVE_URL_PREFIX.length);
  assert.ok(jwt.length <= MAX_SAVE_JWT_LENGTH, `JWT is ${jwt.length} characters`);
  const { payload } = await jwtVerify(jwt, await devPublicKey(), {
    issuer: serviceAccount().client_email,
    audience: 'google',
  });
  assert.equal(payload.typ, 'savetowallet');
  return payload as { origins: string[]; payload: { genericObjects: any[]; genericClasses?: any[] } };
}

describe('Google passes: POST /api/3/passes {platform:"google"}', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness({ env: { KEYWAY_BRAND_NAME: 'Acme Offices' } });
  });
  after(async () => {
    h.assertLogsClean();
    await h.close();
  });

  test('the save URL’s JWT verifies with the dev service-account key; origins are the token’s; the object is the device', async () => {
    const { ps, credentialId } = await redeemedCredential(h, { first_name: 'Grace', last_name: 'Hopper' });
    const res = await h.request('POST', '/api/3/passes', {
      token: ps,
      body: { platform: 'google' },
      headers: { origin: PARTNER_ORIGIN },
    });
    assert.equal(res.status, 200, res.text);
    const claims = await verifySaveUrl(res.body.url);
    assert.deepEqual(
      claims.origins,
      [PARTNER_ORIGIN, 'capacitor://localhost'],
      'the ps_ carries the minting key’s origins',
    );
    const [object] = claims.payload.genericObjects;
    const device = await h.store.db
      .selectFrom('devices')
      .selectAll()
      .where('id', '=', res.body.device_id)
      .executeTakeFirstOrThrow();
    assert.equal(device.platform, 'google');
    assert.equal(device.status, 'pending');
    assert.equal(device.credential_id, credentialId);
    assert.equal(object.id, `${DEV_GOOGLE_ISSUER_ID}.${device.serial_number}`);
    assert.equal(object.state, 'ACTIVE');
    assert.equal(object.header.defaultValue.value, 'Grace Hopper');
    assert.equal(object.cardTitle.defaultValue.value, 'Acme Offices');
    assert.equal(device.value_hash, h.keyway.ctx.keys.lookupHash('value', object.barcode.value));
    // Without callbackOptions Google never calls back and the device could never turn active (docs/lifecycle.md).
    assert.deepEqual(claims.payload.genericClasses, [
      {
        id: `${DEV_GOOGLE_ISSUER_ID}.keyway_access`,
        callbackOptions: { url: 'http://127.0.0.1:8787/wallet/google/callback' },
      },
    ]);
    h.secrets.add(object.barcode.value);
  });

  test('the operator’s logo reaches the Google object as the https URL the hosted page serves it at', async () => {
    assert.equal(
      (await verifySaveUrl((await googlePass(h)).url)).payload.genericObjects[0].logo,
      undefined,
      'no logo configured, no logo',
    );
    const logoPath = join(tempDir(), 'logo.png');
    writeFileSync(logoPath, encodePng(2, 1, new Uint8Array([1, 2, 3, 255, 4, 5, 6, 255])));
    const branded = await createHarness({
      env: { KEYWAY_BRAND_LOGO: logoPath, PUBLIC_URL: 'https://keyway.acme-offices.example' },
    });
    try {
      const [object] = (await verifySaveUrl((await googlePass(branded)).url)).payload.genericObjects;
      assert.equal(object.logo.sourceUri.uri, 'https://keyway.acme-offices.example/p/logo');
      const served = await branded.keyway.app.request('/p/logo');
      assert.equal(served.status, 200);
      assert.deepEqual(Buffer.from(await served.arrayBuffer()), readFileSync(logoPath), 'the URL serves that logo');
      branded.assertLogsClean();
    } finally {
      await branded.close();
    }
  });

  test('without the REST API a very long name is shortened on the card so the link still fits', async () => {
    const long = 'Wolfeschlegelsteinhausenbergerdorff'.repeat(6).slice(0, 200);
    const h2 = await createHarness({
      env: {
        KEYWAY_BRAND_NAME: 'Acme Offices Berlin-Charlottenburg, Kurfürstendamm Tower, Floors 3 to 17 (Reception on 3)',
      },
    });
    try {
      const { ps } = await redeemedCredential(h2, { first_name: long, last_name: long });
      const res = await h2.request('POST', '/api/3/passes', { token: ps, body: { platform: 'google' } });
      assert.equal(res.status, 200, res.text);
      const [object] = (await verifySaveUrl(res.body.url)).payload.genericObjects;
      assert.equal(object.header.defaultValue.value, `${long.slice(0, 39)}…`);
      h2.secrets.add(object.barcode.value);
      h2.assertLogsClean();
    } finally {
      await h2.close();
    }
  });

  test('a client session’s save URL carries the origins it was minted with', async () => {
    const { personId, credentialId } = await redeemedCredential(h);
    const cs = await clientSession(h, personId, ['capacitor://localhost']);
    const res = await h.request('POST', '/api/3/passes', {
      token: cs,
      body: { platform: 'google', credential_id: credentialId },
    });
    assert.equal(res.status, 200, res.text);
    const claims = await verifySaveUrl(res.body.url);
    assert.deepEqual(claims.origins, ['capacitor://localhost']);
    h.secrets.add(claims.payload.genericObjects[0].barcode.value);
  });
});

describe('Google passes: a JWT that would be too long goes through the REST API first', () => {
  let server: Server;
  let h: Harness;
  const inserted: { path: string; body: any }[] = [];

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        if (req.url === '/token') return res.end(JSON.stringify({ access_token: 'at-1', expires_in: 3600 }));
        assert.equal(req.headers.authorization, 'Bearer at-1');
        inserted.push({ path: req.url!, body: JSON.parse(body) });
        res.end(body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    h = await createHarness({
      env: {
        KEYWAY_GOOGLE_API_URL: url,
        KEYWAY_BRAND_NAME: 'Acme Offices Berlin-Charlottenburg, Kurfürstendamm Tower, Floors 3 to 17 (Reception on 3)',
      },
    });
  });
  after(async () => {
    h.assertLogsClean();
    await h.close();
    server.close();
  });

  test('the class is inserted once; a large object is inserted and the JWT carries only its id', async () => {
    const long = 'Wolfeschlegelsteinhausenbergerdorff'.repeat(6).slice(0, 200); // the longest name a person may have
    const { ps } = await redeemedCredential(h, { first_name: long, last_name: long });
    const first = await h.request('POST', '/api/3/passes', { token: ps, body: { platform: 'google' } });
    assert.equal(first.status, 200, first.text);
    const claims = await verifySaveUrl(first.body.url);
    assert.equal(claims.payload.genericClasses, undefined, 'the class exists through the API');
    assert.deepEqual(Object.keys(claims.payload.genericObjects[0]).sort(), ['classId', 'id']);
    assert.deepEqual(
      inserted.map((i) => i.path),
      ['/walletobjects/v1/genericClass', '/walletobjects/v1/genericObject'],
    );
    assert.deepEqual(
      inserted[0].body,
      {
        id: `${DEV_GOOGLE_ISSUER_ID}.keyway_access`,
        callbackOptions: { url: 'http://127.0.0.1:8787/wallet/google/callback' },
      },
      'the class inserted through the API names the callback URL too',
    );
    assert.equal(inserted[1].body.header.defaultValue.value, `${long} ${long}`);
    assert.equal(inserted[1].body.id, claims.payload.genericObjects[0].id);
    h.secrets.add(inserted[1].body.barcode.value);

    const small = await redeemedCredential(h, { first_name: 'Al', last_name: 'Bo' });
    const second = await h.request('POST', '/api/3/passes', { token: small.ps, body: { platform: 'google' } });
    assert.equal(second.status, 200, second.text);
    assert.equal(inserted.length, 2, 'a small object stays in the JWT and the class is not inserted again');
    const payload = decodeJwt(second.body.url.slice(SAVE_URL_PREFIX.length)) as any;
    assert.equal(payload.payload.genericObjects[0].header.defaultValue.value, 'Al Bo');
    h.secrets.add(payload.payload.genericObjects[0].barcode.value);
  });
});

describe('Google passes: a class an older Keyway inserted gets its callback URL', () => {
  let rest: GoogleRestPeer;
  let h: Harness;
  before(async () => {
    rest = await startGoogleRestPeer();
    rest.classes.set(`${DEV_GOOGLE_ISSUER_ID}.keyway_access`, { id: `${DEV_GOOGLE_ISSUER_ID}.keyway_access` }); // made before classes carried callbackOptions
    h = await createHarness({ env: { KEYWAY_GOOGLE_API_URL: rest.url } });
    h.secrets.add(rest.token);
  });
  after(async () => {
    h.assertLogsClean();
    await h.close();
    await rest.close();
  });

  test('the insert answers 409, so the class is PATCHed with callbackOptions once', async () => {
    await googlePass(h);
    await googlePass(h);
    const classPath = `/walletobjects/v1/genericClass/${encodeURIComponent(`${DEV_GOOGLE_ISSUER_ID}.keyway_access`)}`;
    assert.deepEqual(
      rest.requests
        .filter((r) => r.path.startsWith('/walletobjects/v1/genericClass'))
        .map((r) => `${r.method} ${r.path}`),
      ['POST /walletobjects/v1/genericClass', `PATCH ${classPath}`],
    );
    assert.deepEqual(rest.classes.get(`${DEV_GOOGLE_ISSUER_ID}.keyway_access`)?.callbackOptions, {
      url: 'http://127.0.0.1:8787/wallet/google/callback',
    });
  });
});
