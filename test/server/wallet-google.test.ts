import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, importSPKI, jwtVerify } from 'jose';
import { createGoogleWalletRestClient, GoogleWalletApiError } from '../../server/wallet/google/rest-client.js';
import {
  createGoogleSaveLinkBuilder,
  type GoogleSaveLinkInput,
  GoogleSaveLinkTooLongError,
  type GoogleServiceAccount,
  MAX_SAVE_JWT_LENGTH,
  SAVE_URL_PREFIX,
} from '../../server/wallet/google/save-link.js';
import { devChain } from '../fixtures/wallet/dev-chain.js';

const serviceAccount = (): GoogleServiceAccount =>
  JSON.parse(readFileSync(devChain().paths.googleServiceAccount, 'utf8'));
const publicKey = async (sa: GoogleServiceAccount) =>
  importSPKI(createPublicKey(sa.private_key).export({ format: 'pem', type: 'spki' }) as string, 'RS256');

const typical: GoogleSaveLinkInput = {
  objectId: 'dev_01JB8Z6N3W4Q7R2T5Y8U1I0P9K',
  holderName: 'Maximiliane Schwarzenberger-Oberhollenzer',
  credentialTypeLabel: 'Wallet pass',
  readerValue: 'KWV7Q2M9XR4T8ZP3A6B1C5D0',
  state: 'ACTIVE',
  origins: ['https://partner.example.com', 'https://www.acme-offices.example'],
  brand: {
    name: 'Acme Offices Berlin',
    color: '#1f4fd1',
    logoUrl: 'https://keyway.acme-offices.example/brand/logo.png',
  },
};

describe('Google save links', () => {
  it('signs an RS256 JWT jose verifies with the dev public key, with the save claims', async () => {
    const sa = serviceAccount();
    const builder = createGoogleSaveLinkBuilder({
      serviceAccount: sa,
      issuerId: '3388000000022222222',
      classSuffix: 'keyway_access',
    });
    const { url, jwt } = await builder.build(typical);
    assert.equal(url, SAVE_URL_PREFIX + jwt);
    assert.ok(jwt.length <= MAX_SAVE_JWT_LENGTH, `JWT is ${jwt.length} characters`);

    const { payload, protectedHeader } = await jwtVerify(jwt, await publicKey(sa), {
      issuer: sa.client_email,
      audience: 'google',
    });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.typ, 'savetowallet');
    assert.equal(typeof payload.iat, 'number');
    assert.deepEqual(payload.origins, typical.origins);
    const body = payload.payload as {
      genericObjects: Record<string, unknown>[];
      genericClasses: Record<string, unknown>[];
    };
    assert.deepEqual(body.genericClasses, [{ id: '3388000000022222222.keyway_access' }]);
    const [object] = body.genericObjects;
    assert.equal(object.id, '3388000000022222222.dev_01JB8Z6N3W4Q7R2T5Y8U1I0P9K');
    assert.equal(object.classId, '3388000000022222222.keyway_access');
    assert.equal(object.state, 'ACTIVE');
    assert.deepEqual(object.barcode, { type: 'QR_CODE', value: typical.readerValue });
    assert.equal((object.header as { defaultValue: { value: string } }).defaultValue.value, typical.holderName);
    assert.equal(object.smartTapRedemptionValue, undefined);
  });

  it('adds Smart Tap fields when redemption issuers are configured, and still fits 1800 characters', async () => {
    const sa = serviceAccount();
    const builder = createGoogleSaveLinkBuilder({
      serviceAccount: sa,
      issuerId: '3388000000022222222',
      classSuffix: 'keyway_access',
      smartTapIssuers: ['3388000000022222222'],
    });
    const { jwt } = await builder.build({ ...typical, state: 'INACTIVE' });
    assert.ok(jwt.length <= MAX_SAVE_JWT_LENGTH, `JWT is ${jwt.length} characters`);
    const body = decodeJwt(jwt).payload as {
      genericObjects: Record<string, unknown>[];
      genericClasses: Record<string, unknown>[];
    };
    assert.deepEqual(body.genericClasses[0], {
      id: '3388000000022222222.keyway_access',
      enableSmartTap: true,
      redemptionIssuers: ['3388000000022222222'],
    });
    assert.equal(body.genericObjects[0].smartTapRedemptionValue, typical.readerValue);
    assert.equal(body.genericObjects[0].state, 'INACTIVE');
  });

  it('carries only references when the class and object were inserted through the REST API', async () => {
    const builder = createGoogleSaveLinkBuilder({
      serviceAccount: serviceAccount(),
      issuerId: '3388000000022222222',
      classSuffix: 'keyway_access',
    });
    const classOnly = decodeJwt((await builder.build({ ...typical, classAlreadyInserted: true })).jwt)
      .payload as Record<string, unknown>;
    assert.equal(classOnly.genericClasses, undefined);
    const refs = decodeJwt(
      (await builder.build({ ...typical, classAlreadyInserted: true, objectAlreadyInserted: true })).jwt,
    ).payload as Record<string, unknown>;
    assert.deepEqual(refs, {
      genericObjects: [
        { id: '3388000000022222222.dev_01JB8Z6N3W4Q7R2T5Y8U1I0P9K', classId: '3388000000022222222.keyway_access' },
      ],
    });
  });

  it('refuses to make a JWT over 1800 characters, telling the caller to pre-insert', async () => {
    const builder = createGoogleSaveLinkBuilder({
      serviceAccount: serviceAccount(),
      issuerId: '3388000000022222222',
      classSuffix: 'keyway_access',
    });
    await assert.rejects(
      builder.build({ ...typical, holderName: 'A'.repeat(900) }),
      (error: unknown) =>
        error instanceof GoogleSaveLinkTooLongError &&
        error.length > MAX_SAVE_JWT_LENGTH &&
        /REST API/.test(error.message),
    );
    const { jwt } = await builder.build({ ...typical, holderName: 'A'.repeat(900), objectAlreadyInserted: true });
    assert.ok(jwt.length <= MAX_SAVE_JWT_LENGTH);
  });

  it('sanitises object ids to the characters Google allows', () => {
    const builder = createGoogleSaveLinkBuilder({
      serviceAccount: serviceAccount(),
      issuerId: '1',
      classSuffix: 'a b',
    });
    assert.equal(builder.classId, '1.a_b');
    assert.equal(builder.googleObject({ ...typical, objectId: 'cred:x/y' }).id, '1.cred_x_y');
    assert.equal(builder.googleObject({ ...typical, objectId: '1.already' }).id, '1.already');
  });
});

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

describe('Google Wallet REST client (local peer)', () => {
  let server: Server;
  let baseUrl: string;
  const requests: Recorded[] = [];
  let tokensIssued = 0;
  let failNextWith401 = false;
  const existing = new Set<string>();

  before(async () => {
    const sa = serviceAccount();
    const verifyKey = await publicKey(sa);
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', async () => {
        requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        const json = (status: number, value: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(value));
        };
        if (req.url === '/token') {
          const form = new URLSearchParams(body);
          assert.equal(form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer');
          const { payload } = await jwtVerify(form.get('assertion')!, verifyKey, {
            issuer: sa.client_email,
            audience: `${baseUrl}/token`,
          });
          assert.equal(payload.scope, 'https://www.googleapis.com/auth/wallet_object.issuer');
          tokensIssued++;
          return json(200, { access_token: `at-${tokensIssued}`, expires_in: 3600, token_type: 'Bearer' });
        }
        if (req.headers.authorization !== `Bearer at-${tokensIssued}` || failNextWith401) {
          failNextWith401 = false;
          return json(401, { error: { code: 401 } });
        }
        const resource = body ? JSON.parse(body) : {};
        if (
          req.method === 'POST' &&
          (req.url === '/walletobjects/v1/genericClass' || req.url === '/walletobjects/v1/genericObject')
        ) {
          if (existing.has(resource.id)) return json(409, { error: { code: 409 } });
          existing.add(resource.id);
          return json(200, resource);
        }
        if (req.method === 'PATCH' && req.url?.startsWith('/walletobjects/v1/genericObject/')) {
          const id = decodeURIComponent(req.url.slice('/walletobjects/v1/genericObject/'.length));
          return existing.has(id) ? json(200, { id, ...resource }) : json(404, { error: { code: 404 } });
        }
        json(404, {});
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('gets a token with a JWT bearer grant, inserts class and object, patches state, and caches the token', async () => {
    const sa = serviceAccount();
    const client = createGoogleWalletRestClient({ baseUrl, serviceAccount: sa });
    const builder = createGoogleSaveLinkBuilder({
      serviceAccount: sa,
      issuerId: '3388000000022222222',
      classSuffix: 'keyway_access',
    });

    assert.equal(await client.insertClass(builder.googleClass()), 'created');
    assert.equal(await client.insertClass(builder.googleClass()), 'exists');
    const object = builder.googleObject(typical);
    assert.equal(await client.insertObject(object), 'created');
    await client.setObjectState(object.id, 'INACTIVE');
    assert.equal(tokensIssued, 1, 'one token for every call');

    const patch = requests.find((r) => r.method === 'PATCH')!;
    assert.equal(patch.url, `/walletobjects/v1/genericObject/${encodeURIComponent(object.id)}`);
    assert.deepEqual(JSON.parse(patch.body), { state: 'INACTIVE' });
    const insert = requests.find((r) => r.url === '/walletobjects/v1/genericObject')!;
    assert.deepEqual(JSON.parse(insert.body), object);
    assert.equal(insert.headers['content-type'], 'application/json');

    await assert.rejects(
      client.setObjectState('3388000000022222222.unknown', 'INACTIVE'),
      (error: unknown) => error instanceof GoogleWalletApiError && error.status === 404 && !/at-\d/.test(error.message),
    );
  });

  it('fetches a fresh token once when the API answers 401', async () => {
    const client = createGoogleWalletRestClient({ baseUrl, serviceAccount: serviceAccount() });
    const before = tokensIssued;
    await client.accessToken();
    failNextWith401 = true;
    await client.setObjectState('3388000000022222222.dev_01JB8Z6N3W4Q7R2T5Y8U1I0P9K', 'ACTIVE');
    assert.equal(tokensIssued, before + 2);
  });

  it('takes an explicit token URL, and reports a failed token request without the assertion', async () => {
    const client = createGoogleWalletRestClient({
      baseUrl,
      serviceAccount: serviceAccount(),
      tokenUrl: `${baseUrl}/no-such-token`,
    });
    await assert.rejects(
      client.accessToken(),
      (error: unknown) =>
        error instanceof GoogleWalletApiError && error.status === 401 && !/assertion|eyJ/.test(error.message),
    );
  });
});
