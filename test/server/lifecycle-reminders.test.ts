import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sendInvitationReminders } from '../../server/domain/invitations/reminders.js';
import { createHarness, type Harness, issueWalletPass } from '../helpers/harness.js';

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

describe('re-issued invitations and reminders keep the language of the first email', () => {
  let h: Harness;
  before(async () => {
    h = await createHarness({ env: { KEYWAY_INVITE_TTL: '3d', KEYWAY_DELIVER_DEFAULT: 'email' } });
  });
  after(async () => {
    h.assertLogsClean();
    await h.close();
  });

  test('a German invitation is re-issued and reminded in German; an English one stays English', async () => {
    const de = await issueWalletPass(h, { email: 'greta@example.com' }, { deliver: 'email', locale: 'de' });
    const en = await issueWalletPass(h, { email: 'ann@example.com' }, { deliver: 'email' });
    await h.flushMessages();
    const reissued = await h.request('POST', `/api/3/people/${de.personId}/credentials/${de.credentialId}/invitation`, {
      token: h.sk,
    });
    assert.equal(reissued.status, 200, reissued.text);
    await h.flushMessages();
    let greta = await h.outbox('greta@example.com');
    assert.equal(greta.length, 2);
    assert.match(greta[0].subject!, /Einladung zu Ihrem Türausweis/, 'the re-issue is German');
    assert.ok(greta[0].body.includes(reissued.body.person_credential.invitation_code), 'with the new code');

    h.clock.advance(2 * 86400 + 60);
    assert.equal(await sendInvitationReminders(h.keyway.ctx), 2);
    await h.flushMessages();
    greta = await h.outbox('greta@example.com');
    assert.match(greta[0].subject!, /^Erinnerung: .*Einladung/, 'the reminder is German');
    const ann = await h.outbox('ann@example.com');
    assert.match(ann[0].subject!, /^Reminder: .*your door pass invitation/);
    void en;
  });
});
