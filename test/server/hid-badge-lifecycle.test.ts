// HID wallet badges (type 10, SPEC §16): the lifecycle through HID Origo's Pass API — suspend,
// resume, delete (`revoking` until a read shows the Pass gone), each wallet device (iPhone, Watch,
// Android) a Keyway device, the post-provisioning update on a name change; and HID Origo down, failing
// or slow at each step: 503 upstream_unavailable, the credential keeps its state, the poll retries.
// Against the strict local Origo over HTTP, on SQLite and PostgreSQL.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { syncDueHidCredentials } from '../../server/domain/hid/sync.js';
import { createHarness, type Harness, TestClock } from '../helpers/harness.js';
import { type OrigoPeer, type PeerPass, startOrigoPeer } from '../helpers/origo-peer.js';
import { skipWithoutPostgres } from '../helpers/pg.js';

const POLL_S = 30;
const DEADLINE_MS = 1500;

interface World {
  h: Harness;
  peer: OrigoPeer;
}

async function startWorld(backend: 'sqlite' | 'postgres'): Promise<World> {
  const clock = new TestClock();
  const peer = await startOrigoPeer({ now: () => clock.now().getTime() });
  const h = await createHarness({
    backend,
    clock,
    env: { ...peer.env, ...peer.passEnv, KEYWAY_HID_ORIGO_POLL_S: String(POLL_S) },
    configure: (config) => {
      config.hidOrigo!.deadlineMs = DEADLINE_MS;
    },
  });
  return { h, peer };
}

// The people involved, acting.
async function createPerson(w: World, first = 'Badge', last = 'Holder'): Promise<number> {
  const r = await w.h.request('POST', '/api/3/people', {
    token: w.h.sk,
    body: { person: { first_name: first, last_name: last } },
  });
  assert.equal(r.status, 201, r.text);
  return r.body.person.id;
}
/** The operator issues a badge; the person redeems its Keyway code (flows A and B, unchanged). */
async function issueAndRedeem(w: World, personId: number): Promise<{ cid: string; pass: PeerPass }> {
  const r = await w.h.request('POST', `/api/3/people/${personId}/credentials`, {
    token: w.h.sk,
    body: { person_credential: { credential_type_id: 10 } },
  });
  assert.equal(r.status, 201, r.text);
  const cred = r.body.person_credential;
  const redeemed = await w.h.request('POST', '/api/3/invitations/redeem', {
    token: w.h.pk,
    body: { invitation_code: cred.invitation_code },
  });
  assert.equal(redeemed.status, 200, redeemed.text);
  const row = await w.h.store.db
    .selectFrom('hid_passes')
    .select('origo_pass_id')
    .where('credential_id', '=', cred.id)
    .executeTakeFirstOrThrow();
  return { cid: cred.id, pass: w.peer.passes.get(row.origo_pass_id)! };
}
const read = async (w: World, personId: number, cid: string) => {
  const r = await w.h.request('GET', `/api/3/people/${personId}/credentials/${cid}`, { token: w.h.sk });
  assert.equal(r.status, 200, r.text);
  return r.body.person_credential;
};
const setEnabled = (w: World, personId: number, cid: string, enabled: boolean) =>
  w.h.request('PUT', `/api/3/people/${personId}/credentials/${cid}`, {
    token: w.h.sk,
    body: { person_credential: { enabled } },
  });
const revoke = (w: World, personId: number, cid: string) =>
  w.h.request('DELETE', `/api/3/people/${personId}/credentials/${cid}`, { token: w.h.sk });
/** The poll: POLL_S later, Keyway reads Origo back. */
async function pollLater(w: World, seconds = POLL_S) {
  w.h.clock.advance(seconds);
  await syncDueHidCredentials(w.h.keyway.ctx);
}
/** Origo answers every call with 503 while `fn` runs. */
async function origoFailing<T>(w: World, fn: () => Promise<T>): Promise<T> {
  w.peer.failNext(50, 503);
  try {
    return await fn();
  } finally {
    w.peer.failNext(0);
  }
}
async function origoDown<T>(w: World, fn: () => Promise<T>): Promise<T> {
  await w.peer.down();
  try {
    return await fn();
  } finally {
    await w.peer.up();
  }
}
function assertUpstream(r: { status: number; body: any; headers: Headers }) {
  assert.equal(r.status, 503, JSON.stringify(r.body));
  assert.equal(r.body.error.code, 'upstream_unavailable');
  assert.ok(Number(r.headers.get('retry-after')) > 0);
}
const devicesOf = (cred: any) => cred.devices.map((d: any) => `${d.kind}:${d.platform}:${d.status}`).sort() as string[];
async function webhooksOf(w: World, cid: string): Promise<Record<string, any>[]> {
  const rows = await w.h.store.db
    .selectFrom('outbox')
    .select(['payload'])
    .where('credential_id', '=', cid)
    .orderBy('seq')
    .execute();
  return rows.map((r) => JSON.parse(r.payload));
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`HID wallet badges: the lifecycle through HID Origo (${backend})`, async () => {
    const skip = backend === 'postgres' ? await skipWithoutPostgres() : false;
    let w: World;
    before(async () => {
      if (!skip) w = await startWorld(backend);
    });
    after(async () => {
      if (skip) return;
      await w.h.close();
      await w.peer.close();
    });

    it('a wallet holding the badge makes it active, each wallet device a Keyway device; suspend and resume go to Origo', {
      skip,
    }, async () => {
      const personId = await createPerson(w);
      const { cid, pass } = await issueAndRedeem(w, personId);
      assert.equal((await read(w, personId, cid)).status, 'provisioning');
      await pollLater(w);
      assert.equal((await read(w, personId, cid)).status, 'provisioning', 'the Pass is still PENDING at Origo');

      w.peer.provisionPass(pass.id, ['IPHONE', 'APPLE_WATCH']);
      await pollLater(w);
      let cred = await read(w, personId, cid);
      assert.equal(cred.status, 'active');
      assert.deepEqual(devicesOf(cred), ['iphone:apple:active', 'watch:apple:active']);

      const off = await setEnabled(w, personId, cid, false);
      assert.equal(off.status, 200, off.text);
      assert.equal(off.body.person_credential.status, 'suspended');
      assert.equal(pass.status, 'SUSPENDED', 'Origo suspended the Pass');
      assert.ok(pass.devices.every((d) => d.status === 'SUSPENDED'));
      const on = await setEnabled(w, personId, cid, true);
      assert.equal(on.status, 200, on.text);
      assert.equal(on.body.person_credential.status, 'active');
      assert.equal(pass.status, 'ACTIVE');

      // An Android phone adds it later; the Watch is unpaired (its wallet drops it).
      w.peer.provisionPass(pass.id, ['ANDROID_PHONE']);
      pass.devices.find((d) => d.deviceType === 'APPLE_WATCH')!.status = 'DELETED';
      await pollLater(w, POLL_S * 10);
      cred = await read(w, personId, cid);
      assert.equal(cred.status, 'active');
      assert.deepEqual(devicesOf(cred), ['android:google:active', 'iphone:apple:active', 'watch:apple:revoked']);
      const hooks = await webhooksOf(w, cid);
      const added = hooks.filter((e) => e.event === 'device.added').map((e) => `${e.kind}:${e.platform}`);
      assert.deepEqual(added.sort(), ['android:google', 'iphone:apple', 'watch:apple']);
      assert.ok(hooks.some((e) => e.event === 'device.revoked' && e.platform === 'apple'));
      assert.deepEqual(
        hooks.filter((e) => e.event === 'credential.status_changed').map((e) => e.new_status),
        ['provisioning', 'active', 'suspended', 'active'],
      );
      // No Keyway pass behind a badge's device: nothing queued for APNs or Google.
      const pushes = await w.h.store.db
        .selectFrom('wallet_pushes')
        .innerJoin('devices', 'devices.id', 'wallet_pushes.device_id')
        .select('devices.id')
        .where('devices.credential_id', '=', cid)
        .execute();
      assert.equal(pushes.length, 0);
      // One wallet device is not revoked from Keyway alone.
      const one = await w.h.request(
        'DELETE',
        `/api/3/people/${personId}/credentials/${cid}/devices/${cred.devices[0].id}`,
        {
          token: w.h.sk,
        },
      );
      assert.equal(one.status, 409);
      w.h.assertLogsClean();
    });

    it('Origo down, failing or slow at suspend or resume → 503, the credential keeps its state; a lost answer is put right by the poll', {
      skip,
    }, async () => {
      const personId = await createPerson(w);
      const { cid, pass } = await issueAndRedeem(w, personId);
      w.peer.provisionPass(pass.id, ['IPHONE']);
      await pollLater(w);
      assert.equal((await read(w, personId, cid)).status, 'active');

      assertUpstream(await origoDown(w, () => setEnabled(w, personId, cid, false)));
      assertUpstream(await origoFailing(w, () => setEnabled(w, personId, cid, false)));
      let cred = await read(w, personId, cid);
      assert.equal(cred.status, 'active');
      assert.equal(cred.enabled, true);
      assert.equal(pass.status, 'ACTIVE');

      // Slow: Origo suspends, but its answer comes after Keyway's deadline.
      w.peer.stall(DEADLINE_MS + 1000, { path: /^pass-api:\/pass\/[\w-]+\/status$/ });
      const t0 = performance.now();
      const slow = await setEnabled(w, personId, cid, false);
      w.peer.stall(0);
      assertUpstream(slow);
      assert.ok(performance.now() - t0 < DEADLINE_MS + 900, 'answered within the deadline');
      assert.equal(pass.status, 'SUSPENDED', 'Origo acted although its answer was lost');
      cred = await read(w, personId, cid);
      assert.equal(cred.status, 'active', 'nothing half-written');
      // The poll makes Origo agree with Keyway again (the admin was told nothing changed).
      await pollLater(w, POLL_S * 10);
      assert.equal(pass.status, 'ACTIVE');

      // Resume, same: suspended first, then Origo down at resume.
      assert.equal((await setEnabled(w, personId, cid, false)).status, 200);
      assertUpstream(await origoDown(w, () => setEnabled(w, personId, cid, true)));
      cred = await read(w, personId, cid);
      assert.equal(cred.status, 'suspended');
      assert.equal(pass.status, 'SUSPENDED');
      // The poll failing leaves everything as it was, and retries.
      await origoFailing(w, () => pollLater(w, POLL_S * 10));
      assert.equal((await read(w, personId, cid)).status, 'suspended');
      assert.equal((await setEnabled(w, personId, cid, true)).status, 200);
      assert.equal(pass.status, 'ACTIVE');
    });

    it('a badge suspended before any wallet holds it is suspended at Origo once one does', { skip }, async () => {
      const personId = await createPerson(w);
      const { cid, pass } = await issueAndRedeem(w, personId);
      const before = w.peer.count('PUT', /^pass-api:/);
      const off = await setEnabled(w, personId, cid, false);
      assert.equal(off.status, 200, off.text);
      assert.equal(off.body.person_credential.enabled, false);
      assert.equal(w.peer.count('PUT', /^pass-api:/), before, 'nothing to suspend at Origo yet');
      w.peer.provisionPass(pass.id, ['ANDROID_PHONE']);
      await pollLater(w);
      assert.equal((await read(w, personId, cid)).status, 'suspended');
      assert.equal(pass.status, 'SUSPENDED');
    });

    it('DELETE: Origo deletes the Pass; revoking until a read shows it gone, then revoked; Origo down at each step', {
      skip,
    }, async () => {
      const personId = await createPerson(w);
      const { cid, pass } = await issueAndRedeem(w, personId);
      w.peer.provisionPass(pass.id, ['IPHONE', 'ANDROID_PHONE']);
      await pollLater(w);
      assert.equal((await read(w, personId, cid)).status, 'active');

      // Origo down, failing or slow at the delete: 503, and the credential keeps its state.
      assertUpstream(await origoDown(w, () => revoke(w, personId, cid)));
      assertUpstream(await origoFailing(w, () => revoke(w, personId, cid)));
      w.peer.stall(DEADLINE_MS + 1000, { path: /^pass-api:\/pass\/[\w-]+$/, method: 'DELETE' });
      const slow = await revoke(w, personId, cid);
      w.peer.stall(0);
      assertUpstream(slow);
      let cred = await read(w, personId, cid);
      assert.equal(cred.status, 'active');
      assert.ok(pass.deleting, 'the slow delete reached Origo');
      pass.deleting = false; // Origo dropped it after all: the next DELETE is the one that counts

      const del = await revoke(w, personId, cid);
      assert.equal(del.status, 202, del.text); // accepted: revoking until Origo confirms
      assert.equal(del.body.person_credential.status, 'revoking');
      assert.ok(pass.deleting);
      // Origo has not finished: still revoking.
      await pollLater(w);
      assert.equal((await read(w, personId, cid)).status, 'revoking');
      w.peer.completePassDeletions();
      // The read failing: still revoking, retried.
      await origoDown(w, () => pollLater(w));
      assert.equal((await read(w, personId, cid)).status, 'revoking');
      await origoFailing(w, () => pollLater(w));
      assert.equal((await read(w, personId, cid)).status, 'revoking');
      await pollLater(w);
      cred = await read(w, personId, cid);
      assert.equal(cred.status, 'revoked');
      assert.deepEqual(devicesOf(cred), ['android:google:revoked', 'iphone:apple:revoked']);
      const statuses = (await webhooksOf(w, cid))
        .filter((e) => e.event === 'credential.status_changed')
        .map((e) => e.new_status);
      assert.deepEqual(statuses.slice(-2), ['revoking', 'revoked']);
      // Revoked is final: no more reads of it.
      const itsPass = new RegExp(`^pass-api:/pass/${pass.id}$`);
      const reads = w.peer.count('GET', itsPass);
      await pollLater(w, POLL_S * 20);
      assert.equal(w.peer.count('GET', itsPass), reads);
    });

    it('a badge never added to a wallet: DELETE cancels its Pass, revoked once Origo says so', { skip }, async () => {
      const personId = await createPerson(w);
      const { cid, pass } = await issueAndRedeem(w, personId);
      assert.equal((await revoke(w, personId, cid)).body.person_credential.status, 'revoking');
      w.peer.completePassDeletions();
      assert.equal(pass.status, 'CANCELLED');
      await pollLater(w);
      assert.equal((await read(w, personId, cid)).status, 'revoked');
    });

    it('a person deleted: the poll deletes their badge at Origo (retried while Origo is down), then revoked', {
      skip,
    }, async () => {
      const personId = await createPerson(w);
      const { cid, pass } = await issueAndRedeem(w, personId);
      w.peer.provisionPass(pass.id, ['IPHONE']);
      await pollLater(w);
      await origoDown(w, async () => {
        const r = await w.h.request('DELETE', `/api/3/people/${personId}`, { token: w.h.sk });
        assert.equal(r.status, 202, r.text);
        await pollLater(w);
      });
      assert.equal(pass.deleting, false, 'not yet: Origo was down');
      const row = await w.h.store.db
        .selectFrom('credentials')
        .select('status')
        .where('id', '=', cid)
        .executeTakeFirstOrThrow();
      assert.equal(row.status, 'revoking');
      await pollLater(w);
      assert.ok(pass.deleting, 'the retry reached Origo');
      w.peer.completePassDeletions();
      await pollLater(w);
      const done = await w.h.store.db
        .selectFrom('credentials')
        .select('status')
        .where('id', '=', cid)
        .executeTakeFirstOrThrow();
      assert.equal(done.status, 'revoked');
    });

    it('a Pass deleted at Origo without Keyway (HID portal) revokes the credential', { skip }, async () => {
      const personId = await createPerson(w);
      const { cid, pass } = await issueAndRedeem(w, personId);
      w.peer.provisionPass(pass.id, ['IPHONE']);
      await pollLater(w);
      pass.status = 'DELETED';
      for (const d of pass.devices) d.status = 'DELETED';
      await pollLater(w, POLL_S * 10);
      const cred = await read(w, personId, cid);
      assert.equal(cred.status, 'revoked');
      assert.deepEqual(devicesOf(cred), ['iphone:apple:revoked']);
    });

    it("a badge beside a person's HID Mobile Access credential does not stop its phone being recognised by part number", {
      skip,
    }, async () => {
      const personId = await createPerson(w, 'Both', 'Kinds');
      await issueAndRedeem(w, personId);
      const r = await w.h.request('POST', `/api/3/people/${personId}/credentials`, {
        token: w.h.sk,
        body: { person_credential: { credential_type_id: 8 } },
      });
      assert.equal(r.status, 201, r.text);
      const mobile = r.body.person_credential;
      // Origo gives the phone's Mobile ID an id of its own: only the part-number rule finds it, and a
      // badge (which holds no Mobile ID) is no rival claimant.
      w.peer.behaviour.newCredentialId = true;
      try {
        w.peer.provision(mobile.invitation_code);
        await pollLater(w);
      } finally {
        w.peer.behaviour.newCredentialId = false;
      }
      const cred = await read(w, personId, mobile.id);
      assert.equal(cred.status, 'active');
      assert.deepEqual(
        cred.devices.map((d: any) => d.platform),
        ['hid'],
      );
    });

    it('a name change reaches the badge by the post-provisioning update, retried while Origo is down', {
      skip,
    }, async () => {
      const personId = await createPerson(w, 'Ada', 'Lovelace');
      const { cid, pass } = await issueAndRedeem(w, personId);
      w.peer.provisionPass(pass.id, ['IPHONE']);
      await pollLater(w);
      // The person's update is Keyway's own: it never waits on Origo.
      const r = await origoDown(w, () =>
        w.h.request('PUT', `/api/3/people/${personId}`, {
          token: w.h.sk,
          body: { person: { last_name: 'King' } },
        }),
      );
      assert.equal(r.status, 200, r.text);
      await origoFailing(w, () => pollLater(w));
      assert.equal(pass.holder, undefined);
      await pollLater(w);
      assert.deepEqual(pass.holder, { givenName: 'Ada', familyName: 'King' });
      const patches = w.peer.count('PATCH', /^pass-api:/);
      await pollLater(w, POLL_S * 10);
      assert.equal(w.peer.count('PATCH', /^pass-api:/), patches, 'sent once');
      // An email change is not the badge's business.
      await w.h.request('PUT', `/api/3/people/${personId}`, {
        token: w.h.sk,
        body: { person: { email: 'a@example.com' } },
      });
      await pollLater(w, POLL_S * 10);
      assert.equal(w.peer.count('PATCH', /^pass-api:/), patches);
      assert.equal((await read(w, personId, cid)).status, 'active');
    });

    it('a name changed by the people import reaches the badge too, once', { skip }, async () => {
      const r = await w.h.request('POST', '/api/3/people', {
        token: w.h.sk,
        body: { person: { first_name: 'Grace', last_name: 'Brewster', email: 'grace.badge@example.com' } },
      });
      assert.equal(r.status, 201, r.text);
      const personId = r.body.person.id;
      const { pass } = await issueAndRedeem(w, personId);
      w.peer.provisionPass(pass.id, ['IPHONE']);
      await pollLater(w);
      const importCsv = (csv: string) =>
        w.h.keyway.app.request('/api/3/people/import?dry_run=false', {
          method: 'POST',
          headers: { authorization: `Bearer ${w.h.sk}`, 'content-type': 'text/csv', 'x-forwarded-for': '10.9.0.1' },
          body: csv,
        });
      // The HR file finds her by email and brings her married name.
      const imported = await importCsv('first_name,last_name,email\nGrace,Hopper,grace.badge@example.com\n');
      assert.equal(imported.status, 200, await imported.clone().text());
      const patches = w.peer.count('PATCH', /^pass-api:/);
      await pollLater(w);
      assert.deepEqual(pass.holder, { givenName: 'Grace', familyName: 'Hopper' });
      assert.equal(w.peer.count('PATCH', /^pass-api:/), patches + 1);
      // The same file again changes nothing: no update is owed.
      assert.equal((await importCsv('first_name,last_name,email\nGrace,Hopper,grace.badge@example.com\n')).status, 200);
      await pollLater(w, POLL_S * 10);
      assert.equal(w.peer.count('PATCH', /^pass-api:/), patches + 1, 'sent once');
    });
  });
}
