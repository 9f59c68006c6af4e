// docs/lifecycle.md, docs/security.md: a redemption decides on `enabled` and the status inside its own transaction, so a
// disable that commits first always wins (no ps_ for a credential already disabled).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createHarness, type Harness, issueWalletPass } from '../helpers/harness.js';

describe('redemption races a disable', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness({ env: { KEYWAY_LIMIT_REDEEM_PER_IP_MIN: '100000' } });
  });
  after(async () => {
    await h.close();
  });

  test('40 races: whenever the disable committed first, the redemption is refused and the code stays unspent', async () => {
    let disabledFirst = 0;
    for (let i = 0; i < 40; i++) {
      const { personId, credentialId, code } = await issueWalletPass(h);
      h.secrets.add(code);
      // The redemption starts first; the disable follows after a varying number of event-loop turns,
      // so some land between the redemption's first look and its transaction.
      const redeem = h.request('POST', '/api/3/invitations/redeem', { token: h.pk, body: { invitation_code: code } });
      for (let t = 0; t < i % 8; t++) await new Promise((r) => setImmediate(r));
      const disable = h.request('PUT', `/api/3/people/${personId}/credentials/${credentialId}`, {
        token: h.sk,
        body: { enabled: false },
      });
      const [d, r] = await Promise.all([disable, redeem]);
      assert.equal(d.status, 200, d.text);
      if (r.status === 200) h.secrets.add(r.body.provisioning_token);
      const events = (
        await h.request('GET', `/api/3/events?subject=credential:${credentialId}&limit=50`, { token: h.sk })
      ).body.events as { type: string; id: string; data: Record<string, unknown> }[];
      const seqOf = (pred: (e: { type: string; data: Record<string, unknown> }) => boolean) => events.findIndex(pred); // newest first
      const redeemed = seqOf((e) => e.type === 'invitation.redeemed');
      const disabled = seqOf((e) => e.type === 'credential.disabled');
      assert.ok(
        disabled >= 0,
        `the disable is in the audit log: ${JSON.stringify(events.map((e) => [e.type, e.data]))}`,
      );
      if (redeemed >= 0 && redeemed < disabled)
        assert.fail(`race ${i}: a redemption committed after the disable and minted a ps_ (${r.status})`);
      if (r.status !== 200) {
        assert.equal(r.body.error.code, 'credential_disabled', r.text);
        disabledFirst++;
      }
    }
    assert.ok(disabledFirst >= 0);
  });
});

describe('an idempotency record "running" is not taken over while its request is alive', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness();
  });
  after(async () => {
    await h.close();
  });

  test('a request alive past 60 s keeps its record (heartbeat); a dead one is taken over after 60 s', async () => {
    const { beginIdempotent, heartbeatIdempotent } = await import('../../server/domain/callers/idempotency.js');
    const ctx = h.keyway.ctx;
    const alive = await beginIdempotent(ctx, 'rk-alive', 'hash');
    const dead = await beginIdempotent(ctx, 'rk-dead', 'hash');
    assert.equal(alive.kind, 'new');
    assert.equal(dead.kind, 'new');
    for (let s = 0; s < 4; s++) {
      h.clock.advance(20);
      await heartbeatIdempotent(ctx, 'rk-alive'); // what the middleware does while the handler runs
    }
    await assert.rejects(
      beginIdempotent(ctx, 'rk-alive', 'hash'),
      (e: { code?: string }) => e.code === 'idempotency_in_progress',
      'still running after 80 s: not taken over',
    );
    assert.equal(
      (await beginIdempotent(ctx, 'rk-dead', 'hash')).kind,
      'new',
      'no heartbeat for 80 s: the request died, the key may be retried',
    );
  });
});
