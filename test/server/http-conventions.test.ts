// Review findings on HTTP conventions (docs/api.md): 405 with Allow, group ids, the phone_number alias.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createHarness, type Harness } from '../helpers/harness.js';

describe('HTTP conventions', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(async () => {
    h.assertLogsClean();
    await h.close();
  });

  test('a known path with another method is 405 method_not_allowed with Allow; an unknown path stays 404', async () => {
    const put = await h.request('PUT', '/api/3/people', { token: h.sk, body: {} });
    assert.equal(put.status, 405, put.text);
    assert.equal(put.body.error.code, 'method_not_allowed');
    assert.deepEqual(put.headers.get('allow')!.split(', ').sort(), ['GET', 'POST']);
    const patch = await h.request('PATCH', '/api/3/people/12', { token: h.sk, body: {} });
    assert.equal(patch.status, 405);
    assert.deepEqual(patch.headers.get('allow')!.split(', ').sort(), ['DELETE', 'GET', 'PUT']);
    const log = await h.request('GET', '/wallet/apple/v1/log');
    assert.equal(log.status, 405);
    assert.equal(log.headers.get('allow'), 'POST');
    assert.equal((await h.request('GET', '/api/3/no-such-thing', { token: h.sk })).status, 404);
  });

  test('group_ids must be positive integers', async () => {
    for (const bad of [[-1], [0], [1.5]]) {
      const res = await h.request('POST', '/api/3/people', {
        token: h.sk,
        body: { first_name: 'G', last_name: 'Ids', group_ids: bad },
      });
      assert.equal(res.status, 400, `${JSON.stringify(bad)}: ${res.text}`);
      assert.ok(res.body.error.details.fields['group_ids.0'], res.text);
    }
    const ok = await h.request('POST', '/api/3/people', {
      token: h.sk,
      body: { first_name: 'G', last_name: 'Ids', group_ids: [3, 7] },
    });
    assert.deepEqual(ok.body.person.group_ids, [3, 7]);
  });

  test('POST /people accepts phone_number as an alias of phone (the seed docs use both); both different is 400', async () => {
    const res = await h.request('POST', '/api/3/people', {
      token: h.sk,
      body: { person: { first_name: 'Al', last_name: 'Ias', phone_number: '+447911123499' } },
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.person.phone, '+447911123499');
    h.secrets.add('+447911123499');
    const upd = await h.request('PUT', `/api/3/people/${res.body.person.id}`, {
      token: h.sk,
      body: { phone_number: '+447911123498' },
    });
    assert.equal(upd.status, 200, upd.text);
    assert.equal(upd.body.person.phone, '+447911123498');
    h.secrets.add('+447911123498');
    const both = await h.request('POST', '/api/3/people', {
      token: h.sk,
      body: { first_name: 'Al', last_name: 'Ias', phone: '+447911123497', phone_number: '+447911123496' },
    });
    assert.equal(both.status, 400);
    assert.ok(both.body.error.details.fields.phone_number);
  });
});

describe('development pages answer only a loopback Host (docs/security.md: no DNS rebinding)', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(async () => {
    await h.close();
  });

  test('/, /demo/* and /dev/outbox: 404 for any other Host, served for localhost, 127.0.0.1 and [::1]', async () => {
    for (const path of ['/', '/demo/demo.js', '/dev/outbox']) {
      for (const host of [
        'rebind.attacker.example',
        'keys.example.com',
        '127.0.0.1.nip.io',
        'localhost.attacker.example',
      ]) {
        const res = await h.keyway.app.request(
          `http://${host}:8787${path}`,
          {},
          { incoming: { socket: { remoteAddress: '127.0.0.1' } } },
        );
        assert.equal(res.status, 404, `${host}${path}`);
        assert.doesNotMatch(await res.text(), /sk_/);
      }
      for (const host of ['localhost', '127.0.0.1', '[::1]']) {
        const res = await h.keyway.app.request(
          `http://${host}:8787${path}`,
          {},
          { incoming: { socket: { remoteAddress: '127.0.0.1' } } },
        );
        assert.equal(res.status, 200, `${host}${path}`);
      }
    }
  });
});
