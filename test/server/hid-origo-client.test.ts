// The Origo client against a local Origo peer over HTTP: headers, token, retries, deadline, budget.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createOrigoClient, type OrigoClient, OrigoError } from '../../server/hid/origo-client.js';
import { type OrigoPeer, startOrigoPeer } from '../helpers/origo-peer.js';

const PART = 'MID-SUB-CRD_FTPN_6445';
let peer: OrigoPeer;

const clientFor = (p: OrigoPeer, extra: Partial<Parameters<typeof createOrigoClient>[0]> = {}): OrigoClient =>
  createOrigoClient({
    clientId: p.env.KEYWAY_HID_ORIGO_CLIENT_ID,
    clientSecret: p.env.KEYWAY_HID_ORIGO_CLIENT_SECRET,
    orgId: p.orgId,
    applicationId: p.env.KEYWAY_HID_ORIGO_APPLICATION_ID,
    authUrl: p.authUrl,
    apiUrl: p.apiUrl,
    sleep: (ms, signal) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(resolve, Math.min(ms, 20));
        signal.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
      }),
    ...extra,
  });

const jane = { externalId: 'keyway-person-1', givenName: 'Jane', familyName: 'Smith', email: 'jane@example.com' };

async function rejects(p: Promise<unknown>, kind: 'unavailable' | 'rejected', status?: number): Promise<OrigoError> {
  const err = await p.then(
    () => assert.fail('expected an OrigoError'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof OrigoError, String(err));
  assert.equal(err.kind, kind, err.message);
  if (status !== undefined) assert.equal(err.status, status);
  return err;
}

describe('HID Origo client', () => {
  before(async () => {
    peer = await startOrigoPeer();
  });
  after(() => peer.close());
  beforeEach(() => {
    peer.failNext(0);
    peer.stall(0);
    peer.tokenLifetime = 3600;
  });

  it('sends the 2.2 headers on every call and one token serves many', async () => {
    const client = clientFor(peer);
    const before = peer.calls.length;
    const user = await client.findOrCreateUser({ ...jane, externalId: 'keyway-person-h1' });
    await client.listContainers(user.id);
    const mine = peer.calls.slice(before);
    assert.ok(mine.length >= 3);
    for (const c of mine) {
      assert.equal(c.status < 300, true, `${c.method} ${c.path} → ${c.status}`);
      assert.match(c.headers.authorization ?? '', /^Bearer tok_/);
      assert.equal(c.headers['application-id'], 'KEYWAY-TEST');
      assert.equal(c.headers['application-version'], '2.2');
      assert.equal(c.headers['content-type'], 'application/vnd.assaabloy.ma.credential-management-2.2+json');
    }
    assert.equal(new Set(mine.map((c) => c.headers.authorization)).size, 1, 'one cached token');
  });

  it('the peer is strict: no Application-ID, a wrong content type or an unknown token are refused', async () => {
    const token = await clientFor(peer).accessToken();
    const url = `${peer.apiUrl}/customer/${peer.orgId}/users/.search`;
    const body = JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'externalId eq "x"',
    });
    const ct = 'application/vnd.assaabloy.ma.credential-management-2.2+json';
    const post = (headers: Record<string, string>) =>
      fetch(url, { method: 'POST', headers, body }).then((r) => r.status);
    assert.equal(
      await post({ authorization: `Bearer ${token}`, 'application-version': '2.2', 'content-type': ct }),
      400,
    );
    assert.equal(
      await post({
        authorization: `Bearer ${token}`,
        'application-id': 'KEYWAY-TEST',
        'application-version': '2.2',
        'content-type': 'application/json',
      }),
      415,
    );
    assert.equal(
      await post({
        authorization: 'Bearer tok_forged',
        'application-id': 'KEYWAY-TEST',
        'application-version': '2.2',
        'content-type': ct,
      }),
      401,
    );
    assert.equal(
      await post({
        authorization: `Bearer ${token}`,
        'application-id': 'KEYWAY-TEST',
        'application-version': '2.2',
        'content-type': `${ct}; charset=UTF-8`,
      }),
      200,
    );
  });

  it('finds a user by externalId instead of creating a second one', async () => {
    const a = clientFor(peer);
    const b = clientFor(peer);
    const u1 = await a.findOrCreateUser({ ...jane, externalId: 'keyway-person-2' });
    const u2 = await b.findOrCreateUser({ ...jane, externalId: 'keyway-person-2' });
    assert.equal(u1.id, u2.id);
    assert.equal([...peer.users.values()].filter((u) => u.externalId === 'keyway-person-2').length, 1);
  });

  it('a create whose answer is lost is found by the search before the retry, never made twice', async () => {
    const client = clientFor(peer);
    peer.loseAnswers(1, /^\/users$/); // the create acted on, its answer never arrives
    const u = await client.findOrCreateUser({ ...jane, externalId: 'keyway-person-3' });
    assert.ok(u.id > 0);
    assert.equal([...peer.users.values()].filter((x) => x.externalId === 'keyway-person-3').length, 1);
    assert.equal(
      peer.calls.filter((c) => c.path === '/users' && c.body.includes('keyway-person-3')).length,
      0,
      'no second create: the lost one was found by searching',
    );
    const searches = peer.calls.filter((c) => c.path === '/users/.search' && c.body.includes('keyway-person-3'));
    assert.ok(searches.length >= 1 && searches.at(-1)!.status === 200);
  });

  it('creates, reads and cancels an invitation with a 16-character code', async () => {
    const client = clientFor(peer);
    const u = await client.findOrCreateUser({ ...jane, externalId: 'keyway-person-4' });
    const inv = await client.createInvitation(u.id, PART);
    assert.match(inv.invitationCode!, /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    assert.equal(inv.status, 'PENDING');
    assert.ok(Date.parse(inv.expirationDate!) > Date.now());
    assert.equal(inv.credentials[0]?.status, 'ISSUE_INITIATED');
    const listed = await client.listInvitations(u.id);
    assert.deepEqual(
      listed.map((i) => [i.id, i.status]),
      [[inv.id, 'PENDING']],
    );
    assert.equal(await client.cancelInvitation(inv.id), 'cancelled');
    assert.equal((await client.listInvitations(u.id))[0].status, 'CANCELLED');
    assert.equal(await client.cancelInvitation('999999'), 'gone');
    await rejects(client.createInvitation(u.id, 'NO-SUCH-PART'), 'rejected', 400);
  });

  it('the invitation create nests the UserAction flags with meta PACSUser; the peer refuses the flat form with 400', async () => {
    const client = clientFor(peer);
    const u = await client.findOrCreateUser({ ...jane, externalId: 'keyway-person-nested' });
    const before = peer.calls.length;
    await client.createInvitation(u.id, PART);
    const sent = peer.calls.slice(before).find((c) => c.method === 'POST' && c.path === `/users/${u.id}/invitation`)!;
    assert.equal(sent.status, 201);
    const body = JSON.parse(sent.body);
    assert.deepEqual(body, {
      schemas: ['urn:hid:scim:api:ma:2.2:UserAction'],
      'urn:hid:scim:api:ma:2.2:UserAction': {
        createInvitationCode: 'Y',
        sendInvitationEmail: 'N',
        assignCredential: 'Y',
        partNumber: PART,
        credential: '',
      },
      meta: { resourceType: 'PACSUser' },
    });
    // The flat form, as SCIM would take it: unknown top-level attributes → 400 invalidSyntax.
    const token = await client.accessToken();
    const flat = await fetch(`${peer.apiUrl}/customer/${peer.orgId}/users/${u.id}/invitation`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'application-id': 'KEYWAY-TEST',
        'application-version': '2.2',
        'content-type': 'application/vnd.assaabloy.ma.credential-management-2.2+json',
      },
      body: JSON.stringify({
        schemas: ['urn:hid:scim:api:ma:2.2:UserAction'],
        createInvitationCode: 'Y',
        sendInvitationEmail: 'N',
        assignCredential: 'Y',
        partNumber: PART,
        credential: '',
      }),
    });
    assert.equal(flat.status, 400);
    assert.equal((await flat.json()).scimType, 'invalidSyntax');
  });

  it('reads containers with their credentials and revokes one (412 = accepted, 404 = gone)', async () => {
    const client = clientFor(peer);
    const u = await client.findOrCreateUser({ ...jane, externalId: 'keyway-person-5' });
    const inv = await client.createInvitation(u.id, PART);
    peer.provision(inv.invitationCode!, { model: 'Pixel 8', manufacturer: 'Google' });
    const [container] = await client.listContainers(u.id);
    assert.equal(container.model, 'Pixel 8');
    assert.equal(container.credentials[0].status, 'ACTIVE');
    assert.equal(container.credentials[0].id, inv.credentials[0].id);
    assert.match(container.credentials[0].cardNumber!, /^\d+$/);
    assert.equal(await client.revokeCredential(container.credentials[0].id), 'accepted');
    assert.equal(await client.revokeCredential(container.credentials[0].id), 'accepted'); // 412
    peer.completeRevocations();
    assert.equal(await client.revokeCredential(container.credentials[0].id), 'gone');
  });

  it('fetches a new token once when the API answers 401 (a token that died mid-run)', async () => {
    const client = clientFor(peer);
    await client.listInvitations((await client.findOrCreateUser({ ...jane, externalId: 'keyway-person-6' })).id);
    peer.expireTokens();
    const u = await client.findOrCreateUser({ ...jane, externalId: 'keyway-person-6' });
    assert.ok(u.id);
    const last = peer.calls.slice(-2);
    assert.deepEqual(
      last.map((c) => c.status),
      [401, 200],
    );
    assert.notEqual(last[0].headers.authorization, last[1].headers.authorization);
  });

  it('keeps a token until 60 s before it lapses', async () => {
    let now = Date.now();
    const client = clientFor(peer, { now: () => now });
    peer.tokenLifetime = 120;
    const t1 = await client.accessToken();
    now += 50_000;
    assert.equal(await client.accessToken(), t1);
    now += 15_000; // 65 s: within the last minute
    assert.notEqual(await client.accessToken(), t1);
  });

  it('wrong client credentials are a rejection, not an outage', async () => {
    const client = createOrigoClient({
      clientId: '1000123-OSRVX',
      clientSecret: 'wrong',
      orgId: peer.orgId,
      applicationId: 'KEYWAY-TEST',
      authUrl: peer.authUrl,
      apiUrl: peer.apiUrl,
    });
    await rejects(client.accessToken(), 'rejected', 401);
  });

  it('retries 5xx with backoff and gives up as unavailable', async () => {
    const client = clientFor(peer);
    const u = await client.findOrCreateUser({ ...jane, externalId: 'keyway-person-7' });
    peer.failNext(2, 502);
    assert.deepEqual(await client.listContainers(u.id), []);
    peer.failNext(10, 500);
    await rejects(client.listContainers(u.id), 'unavailable', 500);
    peer.failNext(0);
  });

  it('does not repeat an invitation create that may have landed (500), only one that surely did not (503)', async () => {
    const client = clientFor(peer);
    const u = await client.findOrCreateUser({ ...jane, externalId: 'keyway-person-8' });
    peer.failNext(1, 500);
    await rejects(client.createInvitation(u.id, PART), 'unavailable', 500);
    peer.failNext(1, 503);
    const inv = await client.createInvitation(u.id, PART);
    assert.equal(inv.status, 'PENDING');
    assert.deepEqual(
      peer.calls.filter((c) => c.path === `/users/${u.id}/invitation` && c.method === 'POST').map((c) => c.status),
      [500, 503, 201],
    );
  });

  it('a stalled answer fails within the deadline, the body read included', async () => {
    const client = clientFor(peer, { deadlineMs: 300 });
    const u = await client.findOrCreateUser({ ...jane, externalId: 'keyway-person-9' });
    for (const bodyMs of [false, true]) {
      peer.stall(2000, { bodyMs });
      const t0 = Date.now();
      const err = await rejects(client.listContainers(u.id), 'unavailable');
      assert.match(err.message, /in time/);
      assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
      peer.stall(0);
    }
  });

  it('a refused connection is unavailable', async () => {
    const client = createOrigoClient({
      clientId: 'a-b',
      clientSecret: 's',
      orgId: 'a',
      applicationId: 'x',
      authUrl: 'http://127.0.0.1:9',
      apiUrl: 'http://127.0.0.1:9/credential-management',
    });
    await rejects(client.accessToken(), 'unavailable');
  });

  it('a 403 is the call budget: unavailable with a pause, and no call goes out during the pause', async () => {
    const limited = await startOrigoPeer();
    try {
      let now = Date.now();
      const client = clientFor(limited, { now: () => now });
      const u = await client.findOrCreateUser({ ...jane, externalId: 'keyway-person-10' });
      limited.limit(0);
      const err = await rejects(client.listContainers(u.id), 'unavailable', 403);
      assert.ok(err.retryAfter! >= 30);
      const sent = limited.calls.length;
      await rejects(client.listContainers(u.id), 'unavailable', 403);
      assert.equal(limited.calls.length, sent, 'nothing sent while Origo asked for a pause');
      limited.limit(1000);
      now += err.retryAfter! * 1000 + 1;
      assert.deepEqual(await client.listContainers(u.id), []);
    } finally {
      await limited.close();
    }
  });

  it('stays within its own call budget; background work keeps a reserve for people waiting', async () => {
    let now = Date.now();
    const client = clientFor(peer, { now: () => now, budget: { calls: 10, perMs: 60_000 } });
    const u = await client.findOrCreateUser({ ...jane, externalId: 'keyway-person-11' }); // 2 calls
    let background = 0;
    for (;;) {
      try {
        await client.listContainers(u.id, { background: true });
        background++;
      } catch (e) {
        assert.ok(e instanceof OrigoError && e.kind === 'unavailable' && e.retryAfter! > 0);
        break;
      }
    }
    assert.equal(background, 6, 'background stops with 2 of 10 left');
    await client.listContainers(u.id);
    await client.listContainers(u.id);
    await rejects(client.listContainers(u.id), 'unavailable');
    now += 6_000; // one call refilled
    await client.listContainers(u.id);
  });
});
