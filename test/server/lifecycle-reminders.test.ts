import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sendInvitationReminders } from '../../server/domain/reminders.js';
import { createHarness, issueWalletPass, type Harness } from '../helpers/harness.js';

describe('invitation reminder: one email a day before an emailed invitation expires', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness({ env: { KEYWAY_INVITE_TTL: '3d' } });
  });
  after(async () => {
    h.assertLogsClean();
    await h.close();
  });

  test('not before the last day, once on it, never for a redeemed or un-emailed invitation', async () => {
    const emailed = await issueWalletPass(h, { email: 'remind.me@example.com' }, { deliver: 'email' });
    const quiet = await issueWalletPass(h, { email: 'no.email@example.com' }, { deliver: 'none' });
    const redeemed = await issueWalletPass(h, { email: 'redeemed@example.com' }, { deliver: 'email' });
    await h.flushMessages();
    await h.request('POST', '/api/3/invitations/redeem', { token: h.pk, body: { invitation_code: redeemed.code } });
    assert.equal(await sendInvitationReminders(h.keyway.ctx), 0, 'two days left: too early');
    h.clock.advance(2 * 86400 + 60);
    assert.equal(await sendInvitationReminders(h.keyway.ctx), 1);
    assert.equal(await sendInvitationReminders(h.keyway.ctx), 0, 'once');
    await h.flushMessages();
    const inbox = await h.outbox('remind.me@example.com');
    assert.equal(inbox.length, 2);
    assert.match(inbox[0].subject!, /^Reminder: /);
    assert.ok(inbox[0].body.includes(emailed.code));
    assert.equal((await h.outbox('no.email@example.com')).length, 0);
    assert.equal((await h.outbox('redeemed@example.com')).length, 1, 'only the invitation itself');
    void quiet;
  });
});
