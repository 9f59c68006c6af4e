import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createHarness, type Harness, issueWalletPass } from '../helpers/harness.js';

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(async () => {
  h.assertLogsClean();
  await h.close();
});

describe('people', () => {
  test('the seed flow: a person created wrapped, read back, with the phone stored as E.164', async () => {
    const res = await h.request('POST', '/api/3/people', {
      token: h.sk,
      body: {
        person: {
          first_name: 'Jane',
          last_name: 'Smith',
          email: 'Jane@Example.com',
          phone: '+44 7911 123456',
          enabled: true,
        },
      },
    });
    assert.equal(res.status, 201);
    assert.equal(typeof res.body.person.id, 'number');
    assert.equal(res.body.person.phone, '+447911123456');
    assert.equal(res.body.person.email, 'jane@example.com');
    const read = await h.request('GET', `/api/3/people/${res.body.person.id}`, { token: h.sk });
    assert.equal(read.status, 200);
    assert.deepEqual(read.body.person, res.body.person);
  });

  test('bare bodies are accepted too, and a national number uses KEYWAY_DEFAULT_COUNTRY', async () => {
    const g = await createHarness({ env: { KEYWAY_DEFAULT_COUNTRY: 'DE' } });
    try {
      const res = await g.request('POST', '/api/3/people', {
        token: g.sk,
        body: { first_name: 'Jörg', last_name: 'Müller', phone: '0151 23456789' },
      });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.person.phone, '+4915123456789');
      g.assertLogsClean();
    } finally {
      await g.close();
    }
  });

  test('an invalid phone number is 400 invalid_phone_number; missing names are invalid_request with fields', async () => {
    const bad = await h.request('POST', '/api/3/people', {
      token: h.sk,
      body: { person: { first_name: 'A', last_name: 'B', phone: '12345' } },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'invalid_phone_number');
    const missing = await h.request('POST', '/api/3/people', { token: h.sk, body: { person: { first_name: 'A' } } });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.code, 'invalid_request');
    assert.ok(missing.body.error.details.fields.last_name);
  });

  test('list with ?phone= and ?email= filters, pagination by cursor', async () => {
    for (let i = 0; i < 3; i++) {
      await h.request('POST', '/api/3/people', {
        token: h.sk,
        body: { first_name: `P${i}`, last_name: 'Page', email: `p${i}@page.example` },
      });
    }
    const byEmail = await h.request('GET', '/api/3/people?email=p1@page.example', { token: h.sk });
    assert.equal(byEmail.body.people.length, 1);
    assert.equal(byEmail.body.people[0].first_name, 'P1');
    const byPhone = await h.request('GET', `/api/3/people?phone=${encodeURIComponent('+44 7911 123456')}`, {
      token: h.sk,
    });
    assert.equal(byPhone.body.people.length, 1);
    const first = await h.request('GET', '/api/3/people?limit=2', { token: h.sk });
    assert.equal(first.body.people.length, 2);
    assert.ok(first.body.next_cursor);
    const second = await h.request('GET', `/api/3/people?limit=2&cursor=${first.body.next_cursor}`, { token: h.sk });
    assert.notEqual(second.body.people[0].id, first.body.people[1].id);
    assert.ok(second.body.people[0].id > first.body.people[1].id);
    const tooMany = await h.request('GET', '/api/3/people?limit=201', { token: h.sk });
    assert.equal(tooMany.status, 400);
  });

  test('update and delete: delete answers 202 and revokes the person’s credentials', async () => {
    const { personId, credentialId } = await issueWalletPass(h, { first_name: 'Del' });
    const upd = await h.request('PUT', `/api/3/people/${personId}`, {
      token: h.sk,
      body: { person: { last_name: 'Renamed' } },
    });
    assert.equal(upd.status, 200);
    assert.equal(upd.body.person.last_name, 'Renamed');
    assert.equal(upd.body.person.first_name, 'Del');
    const del = await h.request('DELETE', `/api/3/people/${personId}`, { token: h.sk });
    assert.equal(del.status, 202);
    assert.equal((await h.request('GET', `/api/3/people/${personId}`, { token: h.sk })).status, 404);
    const events = await h.request(
      'GET',
      `/api/3/events?subject=credential:${credentialId}&type=credential.status_changed`,
      { token: h.sk },
    );
    assert.equal(events.body.events[0].data.new_status, 'revoked');
  });
});

describe('credentials', () => {
  test('credential types need no key and list 1, 6 and 9', async () => {
    const res = await h.request('GET', '/api/3/credential_types');
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.credential_types.map((t: { id: number; format: string }) => [t.id, t.format]),
      [
        [1, 'card'],
        [6, 'pin'],
        [9, 'mobile'],
      ],
    );
  });

  test('a wallet pass starts invited with a code, URL and expiry, per_device by default', async () => {
    const { credential } = await issueWalletPass(h);
    assert.equal(credential.status, 'invited');
    assert.match(credential.id, /^cred_/);
    assert.match(credential.invitation_code, /^[0-9A-HJKMNP-TV-Z]{3}(-[0-9A-HJKMNP-TV-Z]{3}){3}$/);
    assert.equal(credential.invitation_url, `http://127.0.0.1:8787/p#code=${credential.invitation_code}`);
    assert.ok(Date.parse(credential.invitation_expires_at) > h.clock.now().getTime());
    assert.equal(credential.value_mode, 'per_device');
    assert.deepEqual(credential.devices, []);
  });

  test('type 8 (which Keyway lacks) → 422 unknown_credential_type with the available types', async () => {
    const { personId } = await issueWalletPass(h);
    const res = await h.request('POST', `/api/3/people/${personId}/credentials`, {
      token: h.sk,
      body: { person_credential: { credential_type_id: 8, enabled: true } },
    });
    assert.equal(res.status, 422);
    assert.equal(res.body.error.code, 'unknown_credential_type');
    assert.deepEqual(res.body.error.details.available, [1, 6, 9]);
  });

  test('the seed’s backup PIN (bare body) is active at once and its value is masked everywhere', async () => {
    const { personId } = await issueWalletPass(h);
    const pin = await h.request('POST', `/api/3/people/${personId}/credentials`, {
      token: h.sk,
      body: { credential_type_id: 6, value: '4711', enabled: true },
    });
    assert.equal(pin.status, 201);
    assert.equal(pin.body.person_credential.status, 'active');
    assert.equal(pin.body.person_credential.value, '******');
    const list = await h.request('GET', `/api/3/people/${personId}/credentials`, { token: h.sk });
    assert.ok(!list.text.includes('4711'));
    const short = await h.request('POST', `/api/3/people/${personId}/credentials`, {
      token: h.sk,
      body: { credential_type_id: 6, value: '12' },
    });
    assert.equal(short.status, 400);
  });

  test('the seed’s wallet pass with a value is shared mode', async () => {
    const { personId } = await issueWalletPass(h);
    const res = await h.request('POST', `/api/3/people/${personId}/credentials`, {
      token: h.sk,
      body: { credential_type_id: 9, value: 'passflow-id', enabled: true },
    });
    assert.equal(res.status, 201);
    assert.equal(res.body.person_credential.value_mode, 'shared');
    assert.equal(res.body.person_credential.value, 'passflow-id');
  });

  test('a read-only key can read but cannot write, and never sees codes, URLs or wallet values', async () => {
    const { personId, credentialId } = await issueWalletPass(h, {}, { value: 'shared-secret-value' });
    const read = await h.request('GET', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.skRead });
    assert.equal(read.status, 200);
    assert.equal(read.body.person_credential.invitation_code, undefined);
    assert.equal(read.body.person_credential.invitation_url, undefined);
    assert.equal(read.body.person_credential.value, undefined);
    const list = await h.request('GET', `/api/3/people/${personId}/credentials`, { token: h.skRead });
    assert.ok(!/invitation_code|invitation_url|shared-secret-value/.test(list.text));
    const write = await h.request('PUT', `/api/3/people/${personId}/credentials/${credentialId}`, {
      token: h.skRead,
      body: { enabled: false },
    });
    assert.equal(write.status, 403);
    assert.equal(write.body.error.code, 'insufficient_scope');
    const create = await h.request('POST', '/api/3/people', {
      token: h.skRead,
      body: { first_name: 'X', last_name: 'Y' },
    });
    assert.equal(create.status, 403);
    const del = await h.request('DELETE', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.skRead });
    assert.equal(del.status, 403);
  });

  // Review, round two, point 10: a card number opens doors, so the read-only scope sees it masked like a PIN.
  test('a read-only key sees a card number masked, its last 4 shown; the write scope sees it whole', async () => {
    const { personId } = await issueWalletPass(h);
    const card = await h.request('POST', `/api/3/people/${personId}/credentials`, {
      token: h.sk,
      body: { credential_type_id: 1, value: '0044556677' },
    });
    assert.equal(card.status, 201);
    assert.equal(card.body.person_credential.value, '0044556677', 'the write scope reads it back whole');
    const cid = card.body.person_credential.id;
    const one = await h.request('GET', `/api/3/people/${personId}/credentials/${cid}`, { token: h.skRead });
    assert.equal(one.body.person_credential.value, '******6677');
    const list = await h.request('GET', `/api/3/people/${personId}/credentials`, { token: h.skRead });
    assert.ok(!list.text.includes('0044556677'), 'never whole in a list');
    assert.ok(list.text.includes('******6677'));
    const whole = await h.request('GET', `/api/3/people/${personId}/credentials/${cid}`, { token: h.sk });
    assert.equal(whole.body.person_credential.value, '0044556677');
  });

  test('enabled flag: disabling an active credential suspends it, enabling restores active', async () => {
    const { personId } = await issueWalletPass(h);
    const card = await h.request('POST', `/api/3/people/${personId}/credentials`, {
      token: h.sk,
      body: { credential_type_id: 1, value: '00123456' },
    });
    const cid = card.body.person_credential.id;
    const off = await h.request('PUT', `/api/3/people/${personId}/credentials/${cid}`, {
      token: h.sk,
      body: { person_credential: { enabled: false } },
    });
    assert.equal(off.status, 200);
    assert.equal(off.body.person_credential.status, 'suspended');
    assert.equal(off.body.person_credential.enabled, false);
    const on = await h.request('PUT', `/api/3/people/${personId}/credentials/${cid}`, {
      token: h.sk,
      body: { enabled: true },
    });
    assert.equal(on.body.person_credential.status, 'active');
    assert.equal(on.body.person_credential.enabled, true);
  });

  test('disabling an invited credential keeps its status; revoked is terminal (409 on PUT, 202 on DELETE)', async () => {
    const { personId, credentialId } = await issueWalletPass(h);
    const off = await h.request('PUT', `/api/3/people/${personId}/credentials/${credentialId}`, {
      token: h.sk,
      body: { enabled: false },
    });
    assert.equal(off.body.person_credential.status, 'invited');
    const del = await h.request('DELETE', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.sk });
    assert.equal(del.status, 202);
    assert.equal(del.body.person_credential.status, 'revoked');
    assert.equal(del.body.person_credential.invitation_code, undefined);
    for (const enabled of [true, false]) {
      const put = await h.request('PUT', `/api/3/people/${personId}/credentials/${credentialId}`, {
        token: h.sk,
        body: { enabled },
      });
      assert.equal(put.status, 409);
      assert.equal(put.body.error.code, 'invalid_transition');
    }
    const again = await h.request('DELETE', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.sk });
    assert.equal(again.status, 202);
    assert.equal(again.body.person_credential.status, 'revoked');
    const reissue = await h.request('POST', `/api/3/people/${personId}/credentials/${credentialId}/invitation`, {
      token: h.sk,
    });
    assert.equal(reissue.status, 409);
  });

  test('re-issue: a new code, the old one dies; a redeemed credential stays provisioning and admits one more phone', async () => {
    const { personId, credentialId, code } = await issueWalletPass(h);
    const re = await h.request('POST', `/api/3/people/${personId}/credentials/${credentialId}/invitation`, {
      token: h.sk,
      body: { ignored: true },
    });
    assert.equal(re.status, 200);
    const newCode = re.body.person_credential.invitation_code;
    assert.notEqual(newCode, code);
    const old = await h.request('POST', '/api/3/invitations/redeem', { token: h.pk, body: { invitation_code: code } });
    assert.equal(old.status, 404);
    assert.equal(old.body.error.code, 'invitation_not_found');
    const ok = await h.request('POST', '/api/3/invitations/redeem', {
      token: h.pk,
      body: { invitation_code: newCode },
    });
    assert.equal(ok.status, 200);
    const after1 = await h.request('GET', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.sk });
    assert.equal(after1.body.person_credential.invitation_code, undefined, 'no unredeemed invitation left');
    const third = await h.request('POST', `/api/3/people/${personId}/credentials/${credentialId}/invitation`, {
      token: h.sk,
    });
    assert.equal(third.body.person_credential.status, 'provisioning');
    const redeem3 = await h.request('POST', '/api/3/invitations/redeem', {
      token: h.pk,
      body: { invitation_code: third.body.person_credential.invitation_code },
    });
    assert.equal(redeem3.status, 200);
    assert.equal(redeem3.body.credential.status, 'provisioning');
  });

  test('deliver:"email" sends the invitation to the dev outbox and records invitation.emailed', async () => {
    const { credentialId, code } = await issueWalletPass(h, { email: 'mail@person.example' }, { deliver: 'email' });
    assert.equal(await h.flushMessages(), 1, 'the email is queued, then delivered by the worker');
    const msgs = await h.store.db
      .selectFrom('messages')
      .selectAll()
      .where('recipient', '=', 'mail@person.example')
      .execute();
    assert.equal(msgs.length, 1);
    assert.ok(msgs[0].body.includes(code));
    const events = await h.request('GET', `/api/3/events?subject=credential:${credentialId}&type=invitation.emailed`, {
      token: h.sk,
    });
    assert.equal(events.body.events.length, 1);
  });

  test('client sessions: cs_ reads its person’s credential status, not another person’s', async () => {
    const a = await issueWalletPass(h);
    const b = await issueWalletPass(h, { first_name: 'Other' });
    const cs = await h.request('POST', '/api/3/client_sessions', { token: h.sk, body: { person_id: a.personId } });
    assert.equal(cs.status, 201);
    assert.match(cs.body.token, /^cs_/);
    const mine = await h.request('GET', `/api/3/credentials/${a.credentialId}/status`, { token: cs.body.token });
    assert.equal(mine.status, 200);
    assert.equal(mine.body.status, 'invited');
    assert.deepEqual(
      mine.body.history.map((x: { status: string }) => x.status),
      ['invited'],
    );
    const theirs = await h.request('GET', `/api/3/credentials/${b.credentialId}/status`, { token: cs.body.token });
    assert.equal(theirs.status, 404);
    const badOrigin = await h.request('POST', '/api/3/client_sessions', {
      token: h.sk,
      body: { person_id: a.personId, origins: ['https://unknown.example'] },
    });
    assert.equal(badOrigin.status, 400);
    const noPerson = await h.request('POST', '/api/3/client_sessions', { token: h.sk, body: { person_id: 999999 } });
    assert.equal(noPerson.status, 404);
  });

  test('the audit log is newest first, paginated, and every transition left an outbox row', async () => {
    const { personId, credentialId } = await issueWalletPass(h);
    await h.request('DELETE', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.sk });
    const page = await h.request('GET', '/api/3/events?limit=2', { token: h.sk });
    assert.equal(page.body.events.length, 2);
    assert.ok(page.body.next_cursor);
    const [e1, e2] = page.body.events;
    assert.ok(Number(e1.id.slice(4)) > Number(e2.id.slice(4)));
    const outbox = await h.store.db
      .selectFrom('outbox')
      .selectAll()
      .where('credential_id', '=', credentialId)
      .orderBy('seq')
      .execute();
    const bodies = outbox.map((o) => JSON.parse(o.payload));
    assert.deepEqual(
      bodies.map((b) => b.event),
      ['credential.created', 'credential.status_changed'],
    );
    assert.deepEqual(
      bodies.map((b) => b.sequence),
      [1, 2],
    );
    assert.equal(bodies[1].old_status, 'invited');
    assert.equal(bodies[1].new_status, 'revoked');
    assert.match(bodies[1].timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });
});
