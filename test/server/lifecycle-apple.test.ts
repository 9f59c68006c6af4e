import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sweepRevocations } from '../../server/domain/credentials/sweeps.js';
import { deliverWalletPushes } from '../../server/domain/wallets/pushes.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { fetchPass, redeemedCredential, requestApplePass } from '../helpers/passes.js';
import { type ApnsPeer, startApnsPeer } from '../helpers/peers.js';

const WS = '/wallet/apple/v1';

describe('PassKit web service, APNs pushes and the revocation rule', () => {
  let h: Harness;
  let apns: ApnsPeer;
  let ptid: string;
  before(async () => {
    apns = await startApnsPeer();
    h = await createHarness({ env: { KEYWAY_APNS_URL: apns.url } });
    ptid = h.keyway.ctx.wallet!.apple!.material.passTypeId;
  });
  after(async () => {
    h.assertLogsClean();
    await h.close();
    await apns.close();
  });

  /** A pass on a phone: requested, downloaded; returns serial, auth token and reader value. */
  async function phonePass(ps: string) {
    const req = await requestApplePass(h, ps);
    const pass = await fetchPass(h, req.url);
    const serial = pass.passJson.serialNumber as string;
    const authToken = pass.passJson.authenticationToken as string;
    const value = pass.passJson.barcodes[0].message as string;
    for (const s of [serial, authToken, value]) h.secrets.add(s);
    return { deviceId: req.device_id, serial, authToken, value };
  }

  async function register(dli: string, serial: string, authToken: string, pushToken: string) {
    h.secrets.add(pushToken);
    h.secrets.add(dli);
    return h.keyway.app.request(`${WS}/devices/${dli}/registrations/${ptid}/${serial}`, {
      method: 'POST',
      headers: { authorization: `ApplePass ${authToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pushToken }),
    });
  }
  const status = async (personId: number, credentialId: string) =>
    (await h.request('GET', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.sk })).body
      .person_credential;
  const verify = async (value: string) =>
    (await h.request('POST', '/api/3/access/verify', { token: h.sk, body: { value } })).body;

  test('a registration with a wrong token is 401 and changes nothing; the right one activates device and credential', async () => {
    const { ps, personId, credentialId } = await redeemedCredential(h);
    const p = await phonePass(ps);
    const wrong = await register('a1b2c3d4e5f60718293a4b5c6d7e8f90', p.serial, 'x'.repeat(24), 'push-token-wrong-0001');
    assert.equal(wrong.status, 401);
    const none = await h.keyway.app.request(
      `${WS}/devices/a1b2c3d4e5f60718293a4b5c6d7e8f90/registrations/${ptid}/${p.serial}`,
      { method: 'POST', body: '{"pushToken":"x"}' },
    );
    assert.equal(none.status, 401);
    let cred = await status(personId, credentialId);
    assert.equal(cred.status, 'provisioning');
    assert.equal(cred.devices[0].status, 'pending');
    const regs = await h.store.db.selectFrom('apple_registrations').selectAll().execute();
    assert.equal(regs.filter((r) => r.serial_number === p.serial).length, 0);

    const ok = await register('a1b2c3d4e5f60718293a4b5c6d7e8f90', p.serial, p.authToken, 'push-token-right-0001');
    assert.equal(ok.status, 201);
    assert.equal(
      (await register('a1b2c3d4e5f60718293a4b5c6d7e8f90', p.serial, p.authToken, 'push-token-right-0001')).status,
      200,
      'known registration → 200',
    );
    cred = await status(personId, credentialId);
    assert.equal(cred.status, 'active');
    assert.equal(cred.devices[0].status, 'active');
    const events = await h.request('GET', `/api/3/events?subject=credential:${credentialId}`, { token: h.sk });
    const types = events.body.events.map((e: { type: string }) => e.type);
    assert.ok(types.includes('device.confirmed'));
    assert.equal(
      events.body.events.find((e: { type: string }) => e.type === 'credential.status_changed').data.new_status,
      'active',
    );
  });

  test('suspend and resume push to the phone; the updated serials and the latest pass follow; 304 when unchanged', async () => {
    const { ps, personId, credentialId } = await redeemedCredential(h);
    const p = await phonePass(ps);
    const dli = 'ffeeddccbbaa00998877665544332211';
    assert.equal((await register(dli, p.serial, p.authToken, 'push-token-suspend-01')).status, 201);

    const list0 = await h.keyway.app.request(`${WS}/devices/${dli}/registrations/${ptid}`);
    assert.equal(list0.status, 200);
    const body0 = (await list0.json()) as { serialNumbers: string[]; lastUpdated: string };
    assert.deepEqual(body0.serialNumbers, [p.serial]);

    const latest = await h.keyway.app.request(`${WS}/passes/${ptid}/${p.serial}`, {
      headers: { authorization: `ApplePass ${p.authToken}` },
    });
    assert.equal(latest.status, 200);
    const lastModified = latest.headers.get('last-modified')!;
    assert.ok(lastModified);
    const again = await h.keyway.app.request(`${WS}/passes/${ptid}/${p.serial}`, {
      headers: { authorization: `ApplePass ${p.authToken}`, 'if-modified-since': lastModified },
    });
    assert.equal(again.status, 304);
    assert.equal(
      (
        await h.keyway.app.request(`${WS}/passes/${ptid}/${p.serial}`, {
          headers: { authorization: 'ApplePass wrong-token-0000000000' },
        })
      ).status,
      401,
    );

    h.clock.advance(5);
    const before = apns.pushes.length;
    await h.request('PUT', `/api/3/people/${personId}/credentials/${credentialId}`, {
      token: h.sk,
      body: { enabled: false },
    });
    assert.equal((await status(personId, credentialId)).status, 'suspended');
    await deliverWalletPushes(h.keyway.ctx);
    const pushed = apns.pushes.slice(before);
    assert.deepEqual(
      pushed.map((x) => x.token),
      ['push-token-suspend-01'],
    );
    assert.equal(pushed[0].topic, ptid);
    assert.equal(pushed[0].body, '{}');

    const list1 = await h.keyway.app.request(
      `${WS}/devices/${dli}/registrations/${ptid}?passesUpdatedSince=${encodeURIComponent(body0.lastUpdated)}`,
    );
    assert.equal(list1.status, 200);
    assert.deepEqual(((await list1.json()) as { serialNumbers: string[] }).serialNumbers, [p.serial]);
    const suspended = await h.keyway.app.request(`${WS}/passes/${ptid}/${p.serial}`, {
      headers: { authorization: `ApplePass ${p.authToken}`, 'if-modified-since': lastModified },
    });
    assert.equal(suspended.status, 200);
    const { unzipSync } = await import('fflate');
    const pj = JSON.parse(Buffer.from(unzipSync(Buffer.from(await suspended.arrayBuffer()))['pass.json']).toString());
    assert.equal(pj.generic.auxiliaryFields[0].value, 'Suspended');
    assert.equal(pj.generic.auxiliaryFields[0].changeMessage, 'Status changed: %@');
    assert.equal(pj.voided, undefined);

    h.clock.advance(5);
    await h.request('PUT', `/api/3/people/${personId}/credentials/${credentialId}`, {
      token: h.sk,
      body: { enabled: true },
    });
    await deliverWalletPushes(h.keyway.ctx);
    assert.equal(apns.pushes.length, before + 2, 'resume pushes again');
    const nothing = await h.keyway.app.request(
      `${WS}/devices/${dli}/registrations/${ptid}?passesUpdatedSince=${encodeURIComponent(new Date(h.clock.now().getTime() + 1000).toISOString())}`,
    );
    assert.equal(nothing.status, 204);

    const unreg = await h.keyway.app.request(`${WS}/devices/${dli}/registrations/${ptid}/${p.serial}`, {
      method: 'DELETE',
      headers: { authorization: `ApplePass ${p.authToken}` },
    });
    assert.equal(unreg.status, 200);
    assert.equal((await h.keyway.app.request(`${WS}/devices/${dli}/registrations/${ptid}`)).status, 204);
    const log = await h.keyway.app.request(`${WS}/log`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ logs: ['Web service error for pass'] }),
    });
    assert.equal(log.status, 200);
  });

  test('two phones: revoking one pushes to it alone and kills its value; revoking the credential pushes both, then revoked', async () => {
    const { ps, personId, credentialId } = await redeemedCredential(h);
    const a = await phonePass(ps);
    const b = await phonePass(ps);
    assert.equal(
      (await register('0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a', a.serial, a.authToken, 'push-token-phone-a1')).status,
      201,
    );
    assert.equal(
      (await register('0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b', b.serial, b.authToken, 'push-token-phone-b1')).status,
      201,
    );
    const c = await phonePass(ps);
    assert.equal(
      (await register('0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c', c.serial, c.authToken, 'push-token-phone-c1')).status,
      201,
    );

    let before = apns.pushes.length;
    const del = await h.request(
      'DELETE',
      `/api/3/people/${personId}/credentials/${credentialId}/devices/${c.deviceId}`,
      { token: h.sk },
    );
    assert.equal(del.status, 202);
    assert.equal((await verify(c.value)).reason, 'device_revoked', 'refused at once, before any push');
    assert.equal((await verify(a.value)).allowed, true);
    await deliverWalletPushes(h.keyway.ctx);
    assert.deepEqual(
      apns.pushes.slice(before).map((x) => x.token),
      ['push-token-phone-c1'],
    );
    const voidedC = await h.keyway.app.request(`${WS}/passes/${ptid}/${c.serial}`, {
      headers: { authorization: `ApplePass ${c.authToken}` },
    });
    const { unzipSync } = await import('fflate');
    assert.equal(
      JSON.parse(Buffer.from(unzipSync(Buffer.from(await voidedC.arrayBuffer()))['pass.json']).toString()).voided,
      true,
    );

    before = apns.pushes.length;
    apns.statusFor.set('push-token-phone-b1', 500);
    const revoke = await h.request('DELETE', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.sk });
    assert.equal(revoke.status, 202);
    assert.equal(revoke.body.person_credential.status, 'revoking');
    assert.equal((await verify(a.value)).allowed, false);
    assert.equal((await verify(b.value)).allowed, false);
    await deliverWalletPushes(h.keyway.ctx);
    assert.deepEqual(
      apns.pushes
        .slice(before)
        .map((x) => x.token)
        .sort(),
      ['push-token-phone-a1', 'push-token-phone-b1'],
    );
    let cred = await status(personId, credentialId);
    assert.equal(cred.status, 'revoking', 'phone b has not confirmed yet');
    assert.equal(
      cred.devices.find((d: { id: string }) => d.id === a.deviceId).status,
      'revoked',
      'APNs accepted a’s push',
    );

    apns.statusFor.delete('push-token-phone-b1');
    h.clock.advance(2);
    await deliverWalletPushes(h.keyway.ctx);
    cred = await status(personId, credentialId);
    assert.equal(cred.status, 'revoked', 'the retried push confirmed b');
    const regs = await h.store.db
      .selectFrom('apple_registrations')
      .select('serial_number')
      .where('serial_number', 'in', [a.serial, b.serial])
      .execute();
    assert.equal(regs.length, 2, 'registrations are kept after revocation');
    const events = await h.request(
      'GET',
      `/api/3/events?type=credential.status_changed&subject=credential:${credentialId}`,
      { token: h.sk },
    );
    assert.deepEqual(
      events.body.events.slice(0, 2).map((e: { data: { new_status: string } }) => e.data.new_status),
      ['revoked', 'revoking'],
    );
  });

  test('a phone fetching the voided pass confirms it; phones never heard from are given up after KEYWAY_REVOKE_CONFIRM_DAYS', async () => {
    const { ps, personId, credentialId } = await redeemedCredential(h);
    const a = await phonePass(ps);
    const b = await phonePass(ps);
    assert.equal(
      (await register('1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a', a.serial, a.authToken, 'push-token-dead-a1')).status,
      201,
    );
    assert.equal(
      (await register('1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b', b.serial, b.authToken, 'push-token-dead-b1')).status,
      201,
    );
    apns.statusFor.set('push-token-dead-a1', 503);
    apns.statusFor.set('push-token-dead-b1', 503);
    await h.request('DELETE', `/api/3/people/${personId}/credentials/${credentialId}`, { token: h.sk });
    await deliverWalletPushes(h.keyway.ctx);
    const fetched = await h.keyway.app.request(`${WS}/passes/${ptid}/${a.serial}`, {
      headers: { authorization: `ApplePass ${a.authToken}` },
    });
    assert.equal(fetched.status, 200);
    let cred = await status(personId, credentialId);
    assert.equal(cred.devices.find((d: { id: string }) => d.id === a.deviceId).status, 'revoked');
    assert.equal(cred.status, 'revoking');

    h.clock.advance(3 * 86400 + 60);
    assert.equal(await sweepRevocations(h.keyway.ctx), 1);
    cred = await status(personId, credentialId);
    assert.equal(cred.status, 'revoked');
    const events = await h.request(
      'GET',
      `/api/3/events?type=credential.status_changed&subject=credential:${credentialId}`,
      { token: h.sk },
    );
    assert.deepEqual(events.body.events[0].data.given_up_devices, [b.deviceId]);
    apns.statusFor.clear();
  });
});
