// HID Mobile Access (type 8, docs/hid.md) end to end: Keyway's API, Keyway talking HTTP to a local HID
// Origo peer, the peer playing the phone, callbacks from the peer to Keyway over HTTP.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ServerType } from '@hono/node-server';
import type { Config } from '../../server/config.js';
import { cancelOrphanedHidInvitations, syncDueHidCredentials } from '../../server/domain/hid/sync.js';
import { sendInvitationReminders } from '../../server/domain/invitations/reminders.js';
import { createHarness, type Harness, serveHarness, TestClock } from '../helpers/harness.js';
import { type OrigoPeer, startOrigoPeer } from '../helpers/origo-peer.js';
import { skipWithoutPostgres } from '../helpers/pg.js';

const CALLBACK_SECRET = 'origo-callback-secret-0123456789';
const POLL_S = 60;

interface World {
  h: Harness;
  peer: OrigoPeer;
  /** Keyway over real HTTP (Origo's callbacks arrive here). */
  url: string;
  server: ServerType;
}

async function startWorld(
  backend: 'sqlite' | 'postgres',
  env: Record<string, string> = {},
  configure?: (config: Config) => void,
): Promise<World> {
  // One clock for Keyway and Origo's invitation dates: expiry and reminders follow the test's time.
  const clock = new TestClock();
  const peer = await startOrigoPeer({ now: () => clock.now().getTime() });
  const h = await createHarness({
    backend,
    clock,
    env: {
      ...peer.env,
      KEYWAY_HID_ORIGO_POLL_S: String(POLL_S),
      KEYWAY_HID_ORIGO_CALLBACK_SECRET: CALLBACK_SECRET,
      ...env,
    },
    configure,
  });
  const { server, url } = await serveHarness(h);
  return { h, peer, server, url };
}

async function stopWorld(w: World) {
  await new Promise<void>((resolve) => w.server.close(() => resolve()));
  await w.h.close();
  await w.peer.close();
}

// Helpers named as the people involved act.
async function createPerson(w: World, person: Record<string, unknown>): Promise<number> {
  const r = await w.h.request('POST', '/api/3/people', { token: w.h.sk, body: { person } });
  assert.equal(r.status, 201, r.text);
  return r.body.person.id;
}
async function issueHid(w: World, personId: number, extra: Record<string, unknown> = {}) {
  const r = await w.h.request('POST', `/api/3/people/${personId}/credentials`, {
    token: w.h.sk,
    body: { person_credential: { credential_type_id: 8, enabled: true, ...extra } },
  });
  assert.equal(r.status, 201, r.text);
  return r.body.person_credential as {
    id: string;
    status: string;
    invitation_code: string;
    invitation_expires_at: string;
    invitation_url?: string;
    devices: unknown[];
  };
}
const read = async (w: World, personId: number, cid: string, token = w.h.sk) =>
  (await w.h.request('GET', `/api/3/people/${personId}/credentials/${cid}`, { token })).body.person_credential;
/** The poll: POLL_S later, Keyway reads Origo back. */
async function pollLater(w: World, seconds = POLL_S) {
  w.h.clock.advance(seconds);
  await syncDueHidCredentials(w.h.keyway.ctx);
}
const verify = async (w: World, value: string) =>
  (await w.h.request('POST', '/api/3/access/verify', { token: w.h.sk, body: { value } })).body;
async function webhooksOf(w: World, cid: string): Promise<Record<string, any>[]> {
  const rows = await w.h.store.db
    .selectFrom('outbox')
    .select(['payload'])
    .where('credential_id', '=', cid)
    .orderBy('seq')
    .execute();
  return rows.map((r) => JSON.parse(r.payload));
}
const transitions = (hooks: Record<string, any>[]) =>
  hooks.filter((x) => x.event === 'credential.status_changed').map((x) => `${x.old_status}→${x.new_status}`);
async function until(what: () => Promise<boolean>, ms = 3000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await what()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail('condition not reached in time');
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`HID Mobile Access through HID Origo (${backend})`, async () => {
    const skip = backend === 'postgres' ? await skipWithoutPostgres() : false;
    let w: World;
    before(async () => {
      if (!skip) w = await startWorld(backend);
    });
    after(async () => {
      if (!skip) await stopWorld(w);
    });

    it('type 8 is offered because HID Origo is configured', { skip }, async () => {
      const r = await w.h.request('GET', '/api/3/credential_types');
      assert.deepEqual(
        r.body.credential_types.map((t: { id: number }) => t.id),
        [1, 6, 8, 9],
      );
      assert.deepEqual(
        r.body.credential_types.find((t: { id: number }) => t.id === 8),
        {
          ...r.body.credential_types.find((t: { id: number }) => t.id === 8),
          name: 'HID Mobile Access',
          format: 'mobile',
        },
      );
    });

    it('Approach 2, verbatim: the partner reads invitation_code back and delivers it itself', { skip }, async () => {
      // 1. Create person (email optional)
      const p = await w.h.request('POST', '/api/3/people', {
        token: w.h.sk,
        body: { person: { first_name: 'Jane', last_name: 'Smith', enabled: true } },
      });
      assert.equal(p.status, 201);
      const personId = p.body.person.id;
      // 2. Create HID Mobile Access credential
      const c = await w.h.request('POST', `/api/3/people/${personId}/credentials`, {
        token: w.h.sk,
        body: { person_credential: { credential_type_id: 8, enabled: true } },
      });
      assert.equal(c.status, 201, c.text);
      const cred = c.body.person_credential;
      assert.equal(cred.status, 'invited');
      assert.equal(cred.credential_type_id, 8);
      assert.equal(cred.invitation_url, undefined, 'an HID code goes into the HID app, not a Keyway page');
      const inv = w.peer.invitationByCode(cred.invitation_code);
      assert.ok(inv, 'the code is Origo’s own');
      assert.match(cred.invitation_code, /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
      assert.equal(cred.invitation_expires_at, new Date(inv.expirationDate).toISOString());
      // 3. Retrieve invitation code
      const g = await w.h.request('GET', `/api/3/people/${personId}/credentials/${cred.id}`, { token: w.h.sk });
      assert.equal(g.status, 200);
      assert.equal(g.body.person_credential.invitation_code, cred.invitation_code);
      assert.equal(g.body.person_credential.status, 'invited');
      assert.equal(g.body.person_credential.person_id, personId);
      // The read-only scope never sees it.
      assert.equal((await read(w, personId, cred.id, w.h.skRead)).invitation_code, undefined);
      // One Origo user, named after the person; no email sent by Keyway or Origo.
      const users = [...w.peer.users.values()].filter((u) => u.externalId === `keyway-person-${personId}`);
      assert.equal(users.length, 1);
      assert.equal(
        JSON.parse(
          w.peer.calls.find((x) => x.path === `/users/${users[0].id}/invitation` && x.method === 'POST')!.body,
        )['urn:hid:scim:api:ma:2.2:UserAction'].sendInvitationEmail,
        'N',
      );
      await w.h.flushMessages();
      // Origo's code cannot be redeemed on Keyway's own invitation endpoint.
      const redeem = await w.h.request('POST', '/api/3/invitations/redeem', {
        token: w.h.pk,
        headers: { origin: 'https://partner.example' },
        body: { invitation_code: cred.invitation_code },
      });
      assert.equal(redeem.status, 404);
      w.h.assertLogsClean();
    });

    it('invited → provisioning → active by polling; the phone is a device whose card number opens doors', {
      skip,
    }, async () => {
      const personId = await createPerson(w, { first_name: 'Poll', last_name: 'Ing' });
      const cred = await issueHid(w, personId);
      await pollLater(w);
      assert.equal((await read(w, personId, cred.id)).status, 'invited', 'nothing happened on the phone yet');
      w.peer.acknowledge(cred.invitation_code);
      await pollLater(w);
      const provisioning = await read(w, personId, cred.id);
      assert.equal(provisioning.status, 'provisioning');
      assert.equal(provisioning.invitation_code, undefined, 'an entered code is spent');
      const { credential } = w.peer.provision(cred.invitation_code, { model: 'Pixel 8' });
      await pollLater(w);
      const active = await read(w, personId, cred.id);
      assert.equal(active.status, 'active');
      assert.equal(active.devices.length, 1);
      assert.equal(active.devices[0].platform, 'hid');
      assert.equal(active.devices[0].status, 'active');
      const door = await verify(w, credential.cardNumber);
      assert.equal(door.allowed, true);
      assert.equal(door.device_id, active.devices[0].id);
      const hooks = await webhooksOf(w, cred.id);
      assert.deepEqual(transitions(hooks), ['invited→provisioning', 'provisioning→active']);
      const added = hooks.find((x) => x.event === 'device.added')!;
      assert.deepEqual([added.platform, added.model, added.device_id], ['hid', 'Pixel 8', active.devices[0].id]);
      const seq = hooks.map((x) => x.sequence);
      assert.deepEqual(
        seq,
        [...seq].sort((a, b) => a - b),
      );
      assert.equal(new Set(seq).size, seq.length);
    });

    it('a callback with the secret makes Keyway re-read at once; without it → 401 and nothing read', {
      skip,
    }, async () => {
      const personId = await createPerson(w, { first_name: 'Call', last_name: 'Back' });
      const cred = await issueHid(w, personId);
      const userId = [...w.peer.users.values()].find((u) => u.externalId === `keyway-person-${personId}`)!.id;
      w.peer.provision(cred.invitation_code);
      const event = {
        specversion: '1.0',
        id: 'evt-1',
        source: 'hid-origo',
        type: 'com.hidglobal.origo.credential-management.credential.issued',
        subject: `users/${userId}`,
        data: { userId },
      };
      const reads = () => w.peer.count('GET', new RegExp(`^/users/${userId}/`));
      const before = reads();
      assert.equal(await w.peer.sendCallback(`${w.url}/hid/origo/callback`, [event]), 401);
      assert.equal(
        await w.peer.sendCallback(`${w.url}/hid/origo/callback`, [event], 'wrong-secret-wrong-secret-wrong'),
        401,
      );
      assert.equal(await w.peer.sendCallback(`${w.url}/hid/origo/callback`, [event], `${CALLBACK_SECRET}x`), 401);
      assert.equal(reads(), before, 'a refused callback reads nothing');
      assert.equal((await read(w, personId, cred.id)).status, 'invited');
      // The event's content is not trusted: it only names whom to re-read (the clock has not moved).
      assert.equal(await w.peer.sendCallback(`${w.url}/hid/origo/callback`, [event], CALLBACK_SECRET), 200);
      await until(async () => (await read(w, personId, cred.id)).status === 'active');
      assert.ok(reads() > before);
    });

    it('two phones, then one revoked alone: its card stops opening doors, the other keeps working', {
      skip,
    }, async () => {
      const personId = await createPerson(w, { first_name: 'Two', last_name: 'Phones' });
      const cred = await issueHid(w, personId);
      const first = w.peer.provision(cred.invitation_code, { model: 'iPhone 15' });
      await pollLater(w);
      // A new phone: a new Origo invitation; the old one is cancelled; the device stays.
      const again = await w.h.request('POST', `/api/3/people/${personId}/credentials/${cred.id}/invitation`, {
        token: w.h.sk,
      });
      assert.equal(again.status, 200, again.text);
      const reissued = again.body.person_credential;
      assert.equal(reissued.status, 'active');
      assert.notEqual(reissued.invitation_code, cred.invitation_code);
      assert.equal(reissued.devices.length, 1);
      const second = w.peer.provision(reissued.invitation_code, { model: 'Galaxy S24' });
      await pollLater(w);
      const both = await read(w, personId, cred.id);
      assert.deepEqual(
        both.devices.map((d: { status: string }) => d.status),
        ['active', 'active'],
      );
      assert.equal((await verify(w, first.credential.cardNumber)).allowed, true);
      assert.equal((await verify(w, second.credential.cardNumber)).allowed, true);

      const lost = both.devices[0].id;
      const r = await w.h.request('DELETE', `/api/3/people/${personId}/credentials/${cred.id}/devices/${lost}`, {
        token: w.h.sk,
      });
      assert.equal(r.status, 202);
      assert.equal(
        (await verify(w, first.credential.cardNumber)).reason,
        'device_revoked',
        'refused at once, before Origo knows',
      );
      await pollLater(w);
      assert.equal(
        w.peer.credentials.get(first.credential.id)!.status,
        'REVOKE_INITIATED',
        'that phone’s Origo credential only',
      );
      assert.equal(w.peer.credentials.get(second.credential.id)!.status, 'ACTIVE');
      assert.equal((await verify(w, second.credential.cardNumber)).allowed, true);
      const after = await read(w, personId, cred.id);
      assert.equal(after.status, 'active');
      assert.deepEqual(
        after.devices.map((d: { status: string }) => d.status),
        ['revoked', 'active'],
      );
      const hooks = await webhooksOf(w, cred.id);
      assert.deepEqual(
        hooks.filter((x) => x.event === 'device.revoked').map((x) => x.device_id),
        [lost],
      );
    });

    it('a phone whose Mobile ID Origo gave an id of its own is found by part number: a device, active, its card opens doors; a second phone is a second device', {
      skip,
    }, async () => {
      w.peer.behaviour.newCredentialId = true;
      try {
        const personId = await createPerson(w, { first_name: 'New', last_name: 'Ids' });
        const cred = await issueHid(w, personId);
        const named = w.peer.invitationByCode(cred.invitation_code)!.credentialId;
        const first = w.peer.provision(cred.invitation_code, { model: 'iPhone 16' });
        assert.notEqual(first.credential.id, named, 'the peer gave the phone a new id');
        await pollLater(w);
        const active = await read(w, personId, cred.id);
        assert.equal(active.status, 'active');
        assert.equal(active.devices.length, 1);
        const door = await verify(w, first.credential.cardNumber);
        assert.equal(door.allowed, true);
        assert.equal(door.device_id, active.devices[0].id);
        const again = await w.h.request('POST', `/api/3/people/${personId}/credentials/${cred.id}/invitation`, {
          token: w.h.sk,
        });
        assert.equal(again.status, 200, again.text);
        const second = w.peer.provision(again.body.person_credential.invitation_code, { model: 'Pixel 9' });
        await pollLater(w);
        const both = await read(w, personId, cred.id);
        assert.deepEqual(
          both.devices.map((d: { status: string }) => d.status),
          ['active', 'active'],
        );
        assert.equal((await verify(w, second.credential.cardNumber)).allowed, true);
        assert.equal((await verify(w, first.credential.cardNumber)).allowed, true);
      } finally {
        w.peer.behaviour.newCredentialId = false;
      }
    });

    it('live is ACTIVE, ISSUED or CREDENTIAL_ISSUED; an unknown status is not yet live and never an error; only ACTIVE containers hold phones', {
      skip,
    }, async () => {
      const behaviour = { ...w.peer.behaviour };
      const syncOf = async (cid: string) =>
        w.h.store.db
          .selectFrom('hid_syncs')
          .select(['failures', 'last_error'])
          .where('credential_id', '=', cid)
          .executeTakeFirstOrThrow();
      try {
        for (const live of ['ISSUED', 'CREDENTIAL_ISSUED']) {
          w.peer.behaviour.liveStatus = live;
          const personId = await createPerson(w, { first_name: 'Live', last_name: live });
          const cred = await issueHid(w, personId);
          const phone = w.peer.provision(cred.invitation_code);
          await pollLater(w);
          const r = await read(w, personId, cred.id);
          assert.equal(r.status, 'active', live);
          assert.equal((await verify(w, phone.credential.cardNumber)).allowed, true, live);
        }
        // A status nobody has documented: not yet live, no device, no failure — and live once Origo says so.
        w.peer.behaviour.liveStatus = 'PERSONALIZATION_QUEUED';
        const personId = await createPerson(w, { first_name: 'Odd', last_name: 'Status' });
        const cred = await issueHid(w, personId);
        const phone = w.peer.provision(cred.invitation_code);
        await pollLater(w);
        const waiting = await read(w, personId, cred.id);
        assert.equal(waiting.status, 'provisioning');
        assert.deepEqual(waiting.devices, []);
        assert.deepEqual(await syncOf(cred.id), { failures: 0, last_error: null });
        assert.equal((await verify(w, phone.credential.cardNumber)).allowed, false);
        w.peer.credentials.get(phone.credential.id)!.status = 'ACTIVE';
        await pollLater(w);
        assert.equal((await read(w, personId, cred.id)).status, 'active');
        // A phone whose container is not ACTIVE (not yet initialised; the name is unknown) holds nothing yet.
        w.peer.behaviour.liveStatus = 'ACTIVE';
        w.peer.behaviour.containerStatus = 'NOT_INITIALIZED';
        const other = await createPerson(w, { first_name: 'Young', last_name: 'Phone' });
        const c2 = await issueHid(w, other);
        const p2 = w.peer.provision(c2.invitation_code);
        await pollLater(w);
        assert.equal((await read(w, other, c2.id)).status, 'provisioning');
        assert.deepEqual(await syncOf(c2.id), { failures: 0, last_error: null });
        p2.container.status = 'ACTIVE';
        await pollLater(w);
        const ready = await read(w, other, c2.id);
        assert.equal(ready.status, 'active');
        assert.equal(ready.devices.length, 1);
      } finally {
        Object.assign(w.peer.behaviour, behaviour);
      }
    });

    it('DELETE → revoking until Origo shows each credential revoked → revoked; refused revokes are retried', {
      skip,
    }, async () => {
      const personId = await createPerson(w, { first_name: 'Re', last_name: 'Voke' });
      const cred = await issueHid(w, personId);
      const phone = w.peer.provision(cred.invitation_code);
      await pollLater(w);
      const d = await w.h.request('DELETE', `/api/3/people/${personId}/credentials/${cred.id}`, { token: w.h.sk });
      assert.equal(d.status, 202);
      assert.equal(d.body.person_credential.status, 'revoking');
      assert.equal((await verify(w, phone.credential.cardNumber)).allowed, false, 'doors refuse it at once');
      // Origo refuses for a while: Keyway keeps trying and stays revoking.
      w.peer.failNext(8, 503);
      await pollLater(w);
      assert.equal((await read(w, personId, cred.id)).status, 'revoking');
      assert.equal(w.peer.credentials.get(phone.credential.id)!.status, 'ACTIVE');
      w.peer.failNext(0);
      await pollLater(w);
      assert.equal(w.peer.credentials.get(phone.credential.id)!.status, 'REVOKE_INITIATED');
      assert.equal((await read(w, personId, cred.id)).status, 'revoking', 'accepted is not revoked: wait for Origo');
      await pollLater(w);
      assert.equal((await read(w, personId, cred.id)).status, 'revoking');
      w.peer.completeRevocations();
      await pollLater(w);
      const done = await read(w, personId, cred.id);
      assert.equal(done.status, 'revoked');
      assert.equal(done.devices[0].status, 'revoked');
      const hooks = await webhooksOf(w, cred.id);
      assert.deepEqual(transitions(hooks), [
        'invited→provisioning',
        'provisioning→active',
        'active→revoking',
        'revoking→revoked',
      ]);
      const order = hooks.map((x) => (x.event === 'credential.status_changed' ? x.new_status : x.event));
      assert.deepEqual(order.slice(-3), ['revoking', 'device.revoked', 'revoked']);
      const seq = hooks.map((x) => x.sequence);
      assert.deepEqual(
        seq,
        seq.map((_, i) => seq[0] + i),
        'one sequence per credential, no gaps',
      );
      // A revoked credential is not read again.
      const userId = [...w.peer.users.values()].find((u) => u.externalId === `keyway-person-${personId}`)!.id;
      const reads = () => w.peer.count('GET', new RegExp(`^/users/${userId}/`));
      const before = reads();
      await pollLater(w);
      await pollLater(w, 3600);
      assert.equal(reads(), before);
    });

    it('DELETE of a credential whose code was never used cancels the invitation at Origo, then revoked', {
      skip,
    }, async () => {
      const personId = await createPerson(w, { first_name: 'Never', last_name: 'Used' });
      const cred = await issueHid(w, personId);
      const d = await w.h.request('DELETE', `/api/3/people/${personId}/credentials/${cred.id}`, { token: w.h.sk });
      assert.equal(d.body.person_credential.status, 'revoking');
      assert.equal(d.body.person_credential.invitation_code, undefined);
      await syncDueHidCredentials(w.h.keyway.ctx);
      assert.equal(w.peer.invitationByCode(cred.invitation_code)!.status, 'CANCELLED');
      assert.equal((await read(w, personId, cred.id)).status, 'revoked');
    });

    it('DELETE while the phone is mid-issue (code entered): its Origo credential is revoked too before revoked', {
      skip,
    }, async () => {
      const personId = await createPerson(w, { first_name: 'Mid', last_name: 'Issue' });
      const cred = await issueHid(w, personId);
      const inv = w.peer.acknowledge(cred.invitation_code);
      await pollLater(w);
      assert.equal((await read(w, personId, cred.id)).status, 'provisioning');
      await w.h.request('DELETE', `/api/3/people/${personId}/credentials/${cred.id}`, { token: w.h.sk });
      await syncDueHidCredentials(w.h.keyway.ctx);
      assert.equal(w.peer.credentials.get(inv.credentialId)!.status, 'REVOKE_INITIATED');
      assert.equal(
        (await read(w, personId, cred.id)).status,
        'revoking',
        'the entered code may still bring it to a phone',
      );
      w.peer.completeRevocations();
      await pollLater(w);
      assert.equal((await read(w, personId, cred.id)).status, 'revoked');
    });

    it('revoked only after a fresh read shows none of its Mobile IDs live: one given a new id mid-revocation is revoked and waited for', {
      skip,
    }, async () => {
      w.peer.behaviour.newCredentialId = true;
      try {
        const personId = await createPerson(w, { first_name: 'Late', last_name: 'Phone' });
        const cred = await issueHid(w, personId);
        w.peer.acknowledge(cred.invitation_code);
        await pollLater(w);
        assert.equal((await read(w, personId, cred.id)).status, 'provisioning');
        await w.h.request('DELETE', `/api/3/people/${personId}/credentials/${cred.id}`, { token: w.h.sk });
        const phone = w.peer.provision(cred.invitation_code); // the phone finishes under an id Keyway never saw
        await syncDueHidCredentials(w.h.keyway.ctx);
        assert.equal((await read(w, personId, cred.id)).status, 'revoking', 'a live Mobile ID of it is on a phone');
        assert.equal(w.peer.credentials.get(phone.credential.id)!.status, 'REVOKE_INITIATED');
        await pollLater(w);
        assert.equal((await read(w, personId, cred.id)).status, 'revoking');
        w.peer.completeRevocations();
        await pollLater(w);
        assert.equal((await read(w, personId, cred.id)).status, 'revoked');
      } finally {
        w.peer.behaviour.newCredentialId = false;
      }
    });

    it('a revoke Origo answers 404 while it still lists the Mobile ID live is not taken as gone', {
      skip,
    }, async () => {
      const personId = await createPerson(w, { first_name: 'Stale', last_name: 'Answer' });
      const cred = await issueHid(w, personId);
      const phone = w.peer.provision(cred.invitation_code); // on the phone before Keyway read it back
      await w.h.request('DELETE', `/api/3/people/${personId}/credentials/${cred.id}`, { token: w.h.sk });
      w.peer.behaviour.revoke404WhileListed = true;
      try {
        await syncDueHidCredentials(w.h.keyway.ctx);
        assert.equal(w.peer.credentials.get(phone.credential.id)!.status, 'ACTIVE');
        assert.equal((await read(w, personId, cred.id)).status, 'revoking', 'the fresh read shows it live');
      } finally {
        w.peer.behaviour.revoke404WhileListed = false;
      }
      await pollLater(w);
      assert.equal(w.peer.credentials.get(phone.credential.id)!.status, 'REVOKE_INITIATED');
      w.peer.completeRevocations();
      await pollLater(w);
      assert.equal((await read(w, personId, cred.id)).status, 'revoked');
    });

    it('re-issue and DELETE cancel only PENDING invitations, and each once however long Origo takes', {
      skip,
    }, async () => {
      w.peer.behaviour.cancelLater = true;
      const cancels = (code: string) =>
        w.peer.count('DELETE', new RegExp(`^/invitation/${w.peer.invitationByCode(code)!.id}$`));
      try {
        // An unused code replaced: cancelled once, however many polls see it CANCEL_INITIATED.
        const personId = await createPerson(w, { first_name: 'Once', last_name: 'Only' });
        const cred = await issueHid(w, personId);
        const again = await w.h.request('POST', `/api/3/people/${personId}/credentials/${cred.id}/invitation`, {
          token: w.h.sk,
        });
        const second = again.body.person_credential.invitation_code as string;
        for (let i = 0; i < 3; i++) await pollLater(w);
        assert.equal(w.peer.invitationByCode(cred.invitation_code)!.status, 'CANCEL_INITIATED');
        assert.equal(cancels(cred.invitation_code), 1);
        // A code already entered in the HID app is never cancelled (what that does at Origo is unknown).
        w.peer.acknowledge(second);
        await pollLater(w);
        assert.equal((await read(w, personId, cred.id)).status, 'provisioning');
        const third = await w.h.request('POST', `/api/3/people/${personId}/credentials/${cred.id}/invitation`, {
          token: w.h.sk,
        });
        const thirdCode = third.body.person_credential.invitation_code as string;
        for (let i = 0; i < 3; i++) await pollLater(w);
        assert.equal(cancels(second), 0);
        // DELETE: the PENDING one cancelled once; the entered one's Mobile ID revoked instead.
        await w.h.request('DELETE', `/api/3/people/${personId}/credentials/${cred.id}`, { token: w.h.sk });
        for (let i = 0; i < 3; i++) await pollLater(w);
        assert.equal(cancels(thirdCode), 1);
        assert.equal(cancels(second), 0);
        assert.equal(w.peer.credentials.get(w.peer.invitationByCode(second)!.credentialId)!.status, 'REVOKE_INITIATED');
        assert.equal((await read(w, personId, cred.id)).status, 'revoking', 'a cancel still under way');
        w.peer.completeCancellations();
        w.peer.completeRevocations();
        await pollLater(w);
        assert.equal((await read(w, personId, cred.id)).status, 'revoked');
        assert.equal(cancels(cred.invitation_code) + cancels(second) + cancels(thirdCode), 2);
      } finally {
        w.peer.behaviour.cancelLater = false;
      }
    });

    it('an invitation Origo lets expire before any phone → expired; a re-issue brings it back', { skip }, async () => {
      const personId = await createPerson(w, { first_name: 'Ex', last_name: 'Pired' });
      const cred = await issueHid(w, personId);
      w.peer.expireInvitation(cred.invitation_code);
      await pollLater(w);
      assert.equal((await read(w, personId, cred.id)).status, 'expired');
      const again = await w.h.request('POST', `/api/3/people/${personId}/credentials/${cred.id}/invitation`, {
        token: w.h.sk,
      });
      assert.equal(again.body.person_credential.status, 'invited');
      assert.equal(w.peer.invitationByCode(again.body.person_credential.invitation_code)!.status, 'PENDING');
    });

    it('suspend and resume happen in Keyway only: doors follow, Origo is not asked', { skip }, async () => {
      const personId = await createPerson(w, { first_name: 'Sus', last_name: 'Pend' });
      const cred = await issueHid(w, personId);
      const phone = w.peer.provision(cred.invitation_code);
      await pollLater(w);
      const calls = w.peer.calls.length;
      const off = await w.h.request('PUT', `/api/3/people/${personId}/credentials/${cred.id}`, {
        token: w.h.sk,
        body: { person_credential: { enabled: false } },
      });
      assert.equal(off.body.person_credential.status, 'suspended');
      assert.equal((await verify(w, phone.credential.cardNumber)).reason, 'credential_suspended');
      const on = await w.h.request('PUT', `/api/3/people/${personId}/credentials/${cred.id}`, {
        token: w.h.sk,
        body: { enabled: true },
      });
      assert.equal(on.body.person_credential.status, 'active');
      assert.equal((await verify(w, phone.credential.cardNumber)).allowed, true);
      assert.equal(w.peer.calls.length, calls);
    });

    it('a token that expires mid-run is replaced once, and the work goes on', { skip }, async () => {
      const personId = await createPerson(w, { first_name: 'Token', last_name: 'Expiry' });
      const cred = await issueHid(w, personId);
      w.peer.provision(cred.invitation_code);
      w.peer.expireTokens();
      const from = w.peer.calls.length;
      await pollLater(w);
      assert.equal((await read(w, personId, cred.id)).status, 'active');
      const mine = w.peer.calls.slice(from);
      assert.equal(mine.filter((c) => c.status === 401).length, 1, 'one 401, then a fresh token');
    });

    it('Origo down at create → 503 upstream_unavailable with Retry-After, and nothing is stored', {
      skip,
    }, async () => {
      const personId = await createPerson(w, { first_name: 'Down', last_name: 'Stream' });
      const eventsBefore = await w.h.store.db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      await w.peer.down();
      try {
        const r = await w.h.request('POST', `/api/3/people/${personId}/credentials`, {
          token: w.h.sk,
          body: { person_credential: { credential_type_id: 8 } },
        });
        assert.equal(r.status, 503);
        assert.equal(r.body.error.code, 'upstream_unavailable');
        assert.ok(Number(r.headers.get('retry-after')) > 0);
      } finally {
        await w.peer.up();
      }
      // Origo answers 500 to the invitation (it may have acted): still 503, still nothing.
      w.peer.failNext(0);
      const user = await w.h.request('POST', `/api/3/people/${personId}/credentials`, {
        token: w.h.sk,
        body: { person_credential: { credential_type_id: 8 } },
      });
      assert.equal(user.status, 201); // the peer is back
      const other = await createPerson(w, { first_name: 'Half', last_name: 'Made' });
      w.peer.failNext(2, 500); // the search fails twice, is retried
      w.peer.loseAnswers(1, /\/invitation$/);
      const lost = await w.h.request('POST', `/api/3/people/${other}/credentials`, {
        token: w.h.sk,
        body: { person_credential: { credential_type_id: 8 } },
      });
      assert.equal(lost.status, 503);
      const list = await w.h.request('GET', `/api/3/people/${other}/credentials`, { token: w.h.sk });
      assert.deepEqual(list.body.person_credentials, []);
      const created = await w.h.store.db
        .selectFrom('events')
        .select('data')
        .where('type', '=', 'credential.created')
        .execute();
      assert.equal(created.filter((e) => JSON.parse(e.data).person_id === other).length, 0);
      assert.ok(eventsBefore.n >= 0);
      assert.deepEqual(
        (await w.h.request('GET', `/api/3/people/${personId}/credentials`, { token: w.h.sk })).body.person_credentials
          .length,
        1,
      );
    });

    it('Origo’s 403 (its call budget) is backed off: 503 for a person waiting, the poll waits, then both go on', {
      skip,
    }, async () => {
      const personId = await createPerson(w, { first_name: 'Rate', last_name: 'Limit' });
      const cred = await issueHid(w, personId);
      w.peer.provision(cred.invitation_code);
      w.peer.limit(0);
      const from = w.peer.calls.length;
      await pollLater(w);
      assert.equal((await read(w, personId, cred.id)).status, 'invited');
      assert.deepEqual(
        w.peer.calls.slice(from).map((c) => c.status),
        [403],
        'one refused call, then the pass stops',
      );
      const refused = w.peer.calls.filter((c) => c.status === 403).length;
      await pollLater(w, 30); // within Origo's pause: the poll sends nothing
      assert.equal(w.peer.calls.length, from + 1);
      const other = await createPerson(w, { first_name: 'Waiting', last_name: 'Person' });
      const r = await w.h.request('POST', `/api/3/people/${other}/credentials`, {
        token: w.h.sk,
        body: { person_credential: { credential_type_id: 8 } },
      });
      assert.equal(r.status, 503);
      assert.equal(r.body.error.code, 'upstream_unavailable', 'a limit, never a credential error');
      assert.ok(Number(r.headers.get('retry-after')) >= 30);
      assert.equal(w.peer.calls.filter((c) => c.status === 403).length, refused, 'nothing sent during the pause');
      w.peer.limit(10_000);
      await pollLater(w, 61);
      assert.equal((await read(w, personId, cred.id)).status, 'active');
    });

    it('deliver:"email" sends Origo’s code with the seed’s instructions in the person’s language', {
      skip,
    }, async () => {
      const personId = await createPerson(w, { first_name: 'Jana', last_name: 'Schmidt', email: 'jana@example.com' });
      const cred = await issueHid(w, personId, { deliver: 'email', locale: 'de' });
      await w.h.flushMessages();
      const [mail] = await w.h.outbox('jana@example.com');
      assert.ok(mail, 'an email went out');
      assert.match(mail.subject!, /HID Mobile Access/);
      assert.ok(mail.body.includes(cred.invitation_code));
      for (const words of ['App Store', 'Google Play', 'Einladungscode', 'Sekunden', 'PIN', 'Hallo Jana'])
        assert.ok(mail.body.includes(words), words);
      assert.ok(!mail.body.includes('/p#code='), 'no Keyway link: the code goes into the HID app');
      const events = await w.h.request('GET', `/api/3/events?subject=credential:${cred.id}`, { token: w.h.sk });
      assert.ok(events.body.events.some((e: { type: string }) => e.type === 'invitation.emailed'));
    });

    it('/readyz reports hid_origo', { skip }, async () => {
      const r = await w.h.request('GET', '/readyz');
      assert.equal(r.body.checks.hid_origo, 'ok');
    });
  });
}

describe('HID Mobile Access, seed Approach 1 (Keyway emails the code)', () => {
  let w: World;
  before(async () => {
    w = await startWorld('sqlite', { KEYWAY_DELIVER_DEFAULT: 'email' });
  });
  after(() => stopWorld(w));

  it('Approach 1, verbatim: the person gets the invitation code by email', async () => {
    // 1. Create person (if not exists)
    const p = await w.h.request('POST', '/api/3/people', {
      token: w.h.sk,
      body: { person: { first_name: 'Jane', last_name: 'Smith', email: 'jane@example.com', enabled: true } },
    });
    assert.equal(p.status, 201);
    // 2. Create HID Mobile Access credential
    const c = await w.h.request('POST', `/api/3/people/${p.body.person.id}/credentials`, {
      token: w.h.sk,
      body: { person_credential: { credential_type_id: 8, enabled: true } },
    });
    assert.equal(c.status, 201, c.text);
    assert.equal(c.body.person_credential.status, 'invited');
    await w.h.flushMessages();
    const [mail] = await w.h.outbox('jane@example.com');
    assert.ok(mail.body.includes(c.body.person_credential.invitation_code));
    for (const words of ['HID Mobile Access', 'App Store', 'Google Play', 'seconds', 'Contact', 'PIN', 'Hello Jane'])
      assert.ok(mail.body.includes(words), words);
    w.h.assertLogsClean();
  });
});

describe('HID Mobile Access: the reminder a day before Origo’s code expires', () => {
  let w: World;
  before(async () => {
    w = await startWorld('sqlite');
  });
  after(() => stopWorld(w));

  it('an emailed, unused type-8 code is re-sent once as an HID reminder (same code, HID instructions); a code entered in the app is not', async () => {
    const waiting = await createPerson(w, { first_name: 'Rita', last_name: 'Minder', email: 'rita@example.com' });
    const entered = await createPerson(w, { first_name: 'Erik', last_name: 'Entered', email: 'erik@example.com' });
    const quiet = await createPerson(w, { first_name: 'Nadia', last_name: 'Noemail', email: 'nadia@example.com' });
    const cred = await issueHid(w, waiting, { deliver: 'email', locale: 'de' });
    const done = await issueHid(w, entered, { deliver: 'email' });
    await issueHid(w, quiet); // the partner delivers this code itself: Keyway never emails it
    await w.h.flushMessages();
    w.peer.acknowledge(done.invitation_code);
    await pollLater(w);
    assert.equal((await read(w, entered, done.id)).status, 'provisioning');
    // Origo's codes live 48 h: nothing on the first day, one reminder on the last.
    assert.equal(await sendInvitationReminders(w.h.keyway.ctx), 0);
    w.h.clock.advance(25 * 3600);
    assert.equal(await sendInvitationReminders(w.h.keyway.ctx), 1);
    assert.equal(await sendInvitationReminders(w.h.keyway.ctx), 0, 'once');
    await w.h.flushMessages();
    const [reminder, first] = await w.h.outbox('rita@example.com');
    assert.ok(first, 'the invitation went first');
    assert.match(reminder.subject!, /^Erinnerung: .*HID Mobile Access/);
    assert.ok(reminder.body.includes(cred.invitation_code), 'Origo’s code, kept encrypted by Keyway');
    for (const words of ['App Store', 'Google Play', 'Einladungscode']) assert.ok(reminder.body.includes(words), words);
    assert.ok(!reminder.body.includes('/p#code='), 'no Keyway link');
    assert.equal((await w.h.outbox('erik@example.com')).length, 1, 'a code entered in the app needs no reminder');
    assert.equal((await w.h.outbox('nadia@example.com')).length, 0);
    const events = await w.h.request('GET', `/api/3/events?subject=credential:${cred.id}`, { token: w.h.sk });
    assert.ok(events.body.events.some((e: { type: string }) => e.type === 'invitation.reminded'));
    w.h.assertLogsClean();
  });
});

describe('HID Mobile Access not configured', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(() => h.close());

  it('type 8 is neither listed nor creatable, and the callback does not exist', async () => {
    const types = await h.request('GET', '/api/3/credential_types');
    assert.deepEqual(
      types.body.credential_types.map((t: { id: number }) => t.id),
      [1, 6, 9],
    );
    const p = await h.request('POST', '/api/3/people', {
      token: h.sk,
      body: { person: { first_name: 'No', last_name: 'Hid' } },
    });
    const c = await h.request('POST', `/api/3/people/${p.body.person.id}/credentials`, {
      token: h.sk,
      body: { person_credential: { credential_type_id: 8 } },
    });
    assert.equal(c.status, 422);
    assert.equal(c.body.error.code, 'unknown_credential_type');
    assert.deepEqual(c.body.error.details.available, [1, 6, 9]);
    const cb = await h.request('POST', '/hid/origo/callback', {
      raw: '[]',
      headers: { 'content-type': 'application/cloudevents-batch+json', authorization: 'x' },
    });
    assert.equal(cb.status, 404);
  });
});

describe('HID Origo slow or silent at create: nothing stored, and the invitation Origo made anyway is cancelled', () => {
  const DEADLINE_MS = 1500;
  let w: World;
  before(async () => {
    w = await startWorld('sqlite', {}, (config) => {
      config.hidOrigo!.deadlineMs = DEADLINE_MS;
    });
  });
  after(() => stopWorld(w));

  /** The operator's create over real HTTP, timed. */
  async function issueOverHttp(
    personId: number,
  ): Promise<{ status: number; body: any; retryAfter: string | null; ms: number }> {
    const t0 = performance.now();
    const res = await fetch(`${w.url}/api/3/people/${personId}/credentials`, {
      method: 'POST',
      headers: { authorization: `Bearer ${w.h.sk}`, 'content-type': 'application/json' },
      body: JSON.stringify({ person_credential: { credential_type_id: 8, enabled: true } }),
    });
    const body = await res.json();
    return { status: res.status, body, retryAfter: res.headers.get('retry-after'), ms: performance.now() - t0 };
  }
  const origoUserOf = (personId: number) =>
    [...w.peer.users.values()].find((u) => u.externalId === `keyway-person-${personId}`)!;
  const invitationsAtOrigo = (personId: number) =>
    [...w.peer.invitations.values()].filter((i) => i.userId === origoUserOf(personId).id);
  const credentialsOf = async (personId: number) =>
    (await w.h.request('GET', `/api/3/people/${personId}/credentials`, { token: w.h.sk })).body.person_credentials;

  it('Origo stalls the invitation create: 503 with Retry-After within the deadline, nothing stored; the orphan is cancelled once surely over', async () => {
    const personId = await createPerson(w, { first_name: 'Slow', last_name: 'Origo' });
    w.peer.stall(5000, { path: /^\/users\/\d+\/invitation$/, method: 'POST' });
    let r: Awaited<ReturnType<typeof issueOverHttp>>;
    try {
      r = await issueOverHttp(personId);
    } finally {
      w.peer.stall(0);
    }
    assert.equal(r.status, 503, JSON.stringify(r.body));
    assert.equal(r.body.error.code, 'upstream_unavailable');
    assert.ok(Number(r.retryAfter) > 0, 'Retry-After');
    assert.ok(
      r.ms >= DEADLINE_MS - 50 && r.ms < DEADLINE_MS + 500,
      `answered after ${Math.round(r.ms)} ms (deadline ${DEADLINE_MS} ms)`,
    );
    assert.deepEqual(await credentialsOf(personId), []);
    const created = await w.h.store.db
      .selectFrom('events')
      .select('data')
      .where('type', '=', 'credential.created')
      .execute();
    assert.equal(created.filter((e) => JSON.parse(e.data).person_id === personId).length, 0);
    // Origo acted before it stalled: a PENDING code nobody was shown.
    const [orphan] = invitationsAtOrigo(personId);
    assert.equal(orphan.status, 'PENDING');
    // While the create might still commit, the sweep leaves it alone.
    await syncDueHidCredentials(w.h.keyway.ctx);
    assert.equal(orphan.status, 'PENDING');
    w.h.clock.advance(60);
    await syncDueHidCredentials(w.h.keyway.ctx);
    assert.equal(orphan.status, 'CANCELLED', 'cancelled at Origo once the create is surely over');
    assert.equal(w.peer.count('DELETE', new RegExp(`^/invitation/${orphan.id}$`)), 1);
    // Settled: the next passes ask nothing more about it.
    const calls = w.peer.calls.length;
    w.h.clock.advance(120);
    await cancelOrphanedHidInvitations(w.h.keyway.ctx);
    assert.equal(w.peer.calls.length, calls);
    // The operator tries again: one user still, and the new code stays good.
    const again = await issueOverHttp(personId);
    assert.equal(again.status, 201);
    assert.equal([...w.peer.users.values()].filter((u) => u.externalId === `keyway-person-${personId}`).length, 1);
    w.h.assertLogsClean();
  });

  it('an answer dropped after Origo acted: the orphan is cancelled, but never an invitation of a create still under way', async () => {
    const personId = await createPerson(w, { first_name: 'Lost', last_name: 'Answer' });
    w.peer.loseAnswers(1, /^\/users\/\d+\/invitation$/);
    const lost = await issueOverHttp(personId);
    assert.equal(lost.status, 503);
    assert.deepEqual(await credentialsOf(personId), []);
    const [orphan] = invitationsAtOrigo(personId);
    assert.equal(orphan.status, 'PENDING');
    w.h.clock.advance(60); // the lost create is surely over

    // A second create for the same person is under way (Origo made its invitation, Keyway has not stored it yet).
    w.peer.stall(700, { path: /^\/users\/\d+\/invitation$/, method: 'POST' });
    const second = issueOverHttp(personId);
    await until(async () => invitationsAtOrigo(personId).length === 2);
    assert.equal(await cancelOrphanedHidInvitations(w.h.keyway.ctx), 0, 'a create in flight: the sweep waits');
    const r = await second;
    w.peer.stall(0);
    assert.equal(r.status, 201);
    const fresh = w.peer.invitationByCode(r.body.person_credential.invitation_code)!;
    assert.equal(orphan.status, 'PENDING');
    assert.equal(await cancelOrphanedHidInvitations(w.h.keyway.ctx), 1);
    assert.equal(orphan.status, 'CANCELLED');
    assert.equal(fresh.status, 'PENDING', 'the stored invitation is left alone');
    assert.equal(
      (await read(w, personId, r.body.person_credential.id)).invitation_code,
      r.body.person_credential.invitation_code,
    );
  });

  it('a re-issue whose answer was lost: 503, the old code still stands, and the orphan is cancelled', async () => {
    const personId = await createPerson(w, { first_name: 'Re', last_name: 'Lost' });
    const cred = await issueHid(w, personId);
    w.peer.loseAnswers(1, /^\/users\/\d+\/invitation$/);
    const r = await w.h.request('POST', `/api/3/people/${personId}/credentials/${cred.id}/invitation`, {
      token: w.h.sk,
    });
    assert.equal(r.status, 503);
    assert.equal((await read(w, personId, cred.id)).invitation_code, cred.invitation_code);
    const orphan = invitationsAtOrigo(personId).find((i) => i.invitationCode !== cred.invitation_code)!;
    assert.equal(orphan.status, 'PENDING');
    w.h.clock.advance(60);
    await syncDueHidCredentials(w.h.keyway.ctx);
    assert.equal(orphan.status, 'CANCELLED');
    assert.equal(
      w.peer.invitationByCode(cred.invitation_code)!.status,
      'PENDING',
      'the credential’s own code is not touched',
    );
  });
});
