// docs/security.md "retention": the housekeeping timer prunes what is finished after KEYWAY_RETENTION_DAYS.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createHarness, type Harness, issueWalletPass } from '../helpers/harness.js';
import { freshPhone, personWithPhone, startVerification } from '../helpers/sms.js';

describe('retention', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness({ env: { KEYWAY_RETENTION_DAYS: '30' } });
  });
  after(async () => {
    await h.close();
  });

  const count = async (
    table: 'tokens' | 'verifications' | 'outbox' | 'webhook_deliveries' | 'google_callback_nonces' | 'message_queue',
  ) =>
    Number(
      (
        await h.store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  test('expired tokens, finished verifications, delivered outbox and queue rows, delivery history and old nonces go after 30 days; live rows stay', async () => {
    const { runHousekeeping } = await import('../../server/domain/housekeeping/background.js');
    const { dispatchWebhooks } = await import('../../server/webhooks/dispatcher.js');
    const ctx = h.keyway.ctx;
    const { phone } = await personWithPhone(h);
    assert.equal((await startVerification(h, phone)).status, 202);
    assert.equal(
      (await startVerification(h, freshPhone())).status,
      202,
      'an unknown number: a verification row holding a stranger’s encrypted number',
    );
    await h.flushMessages();
    await h.request('POST', '/api/3/client_sessions', {
      token: h.sk,
      body: { person_id: (await issueWalletPass(h)).personId },
    });
    await h.store.db
      .insertInto('google_callback_nonces')
      .values({ nonce: 'n-old', created_at: h.clock.now().toISOString() })
      .execute();
    await h.store.db
      .insertInto('outbox')
      .values({
        event_type: 'credential.created',
        credential_id: null,
        payload: '{}',
        created_at: h.clock.now().toISOString(),
        fanned_at: h.clock.now().toISOString(),
      })
      .execute();
    await dispatchWebhooks(ctx); // fans the outbox out, as the dispatcher does
    assert.ok(
      (await count('tokens')) > 0 && (await count('verifications')) === 2 && (await count('message_queue')) > 0,
    );

    h.clock.advance(31 * 86400);
    await h.store.db
      .insertInto('google_callback_nonces')
      .values({ nonce: 'n-new', created_at: h.clock.now().toISOString() })
      .execute();
    const live = await startVerification(h, (await personWithPhone(h)).phone);
    assert.equal(live.status, 202);
    await runHousekeeping(ctx);

    assert.equal(await count('verifications'), 1, 'only the live verification is left');
    assert.equal(await count('google_callback_nonces'), 1);
    const oldOutbox = await h.store.db
      .selectFrom('outbox')
      .select('seq')
      .where('created_at', '<', new Date(h.clock.now().getTime() - 30 * 86400_000).toISOString())
      .execute();
    assert.equal(oldOutbox.length, 0, 'fanned-out outbox rows older than 30 days are gone');
    assert.equal(await count('message_queue'), 1, 'the live verification’s queued text stays');
    const tokens = await h.store.db.selectFrom('tokens').select('expires_at').execute();
    assert.ok(
      tokens.every((t) => t.expires_at > h.clock.now().toISOString()),
      'no expired token is kept',
    );
  });
});
