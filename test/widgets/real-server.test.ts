// The main paths against the real Keyway server that web-test-runner starts (no scripted client).
import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/define.js';
import {
  type AddToWallet,
  type CredentialStatusElement,
  type InviteRedeem,
  type InviteRedeemedDetail,
  type KeywayErrorDetail,
  type KeywayProvider,
  type OtpSentDetail,
  type OtpVerifiedDetail,
  passNavigator,
  type SmsOtpVerify,
  type StatusChangedDetail,
} from '../../src/index.js';
import { byPart, getByRole, queryByRole, spyEvents, textOf, until } from './helpers/dom.js';
import { admin, freshPhone, invitePerson, keywayServer, nextSms, redeem } from './helpers/real-server.js';

const originalAssign = passNavigator.assign;

async function typeInto(el: Element, role: string, name: string, text: string) {
  const input = getByRole<HTMLInputElement>(el, role, name);
  input.focus();
  input.select();
  await sendKeys({ type: text });
}

describe('against the real server', () => {
  let apiBase: string;
  let publishableKey: string;

  before(async () => {
    ({ apiBase, publishableKey } = await keywayServer());
  });

  afterEach(() => {
    passNavigator.assign = originalAssign;
  });

  it('flow A: a typed invitation code is redeemed; the provider hands the session to <credential-status>', async () => {
    const invitation = await invitePerson();
    const provider =
      await fixture<KeywayProvider>(html`<keyway-provider api-base=${apiBase} publishable-key=${publishableKey} lang="en">
      <invite-redeem></invite-redeem>
      <credential-status .pollInterval=${200}></credential-status>
    </keyway-provider>`);
    const redeemEl = provider.querySelector<InviteRedeem>('invite-redeem')!;
    const status = provider.querySelector<CredentialStatusElement>('credential-status')!;
    const redeemed = spyEvents<InviteRedeemedDetail>(document, 'invite-redeemed');

    // Lower case, no dashes, a look-alike O for 0 where the code has one: the person's typing.
    await typeInto(
      redeemEl,
      'textbox',
      'Invitation code',
      invitation.code.replace(/-/g, '').toLowerCase().replace(/0/g, 'o'),
    );
    expect(getByRole<HTMLInputElement>(redeemEl, 'textbox', 'Invitation code').value).to.equal(invitation.code);
    await sendKeys({ press: 'Enter' });
    await until(() => redeemed.count === 1, 'invite-redeemed', 5000);

    const detail = redeemed.details[0];
    expect(detail.provisioningToken).to.match(/^ps_/);
    expect(detail.credential.id).to.equal(invitation.credentialId);
    expect(detail.credential.status).to.equal('provisioning');
    await until(() => status.status === 'provisioning', 'status shows provisioning', 5000);
    await status.updateComplete;
    expect(textOf(byPart(status, 'badge'))).to.equal('Pass status: Being set up');
    await expect(status).to.be.accessible();
  });

  it("a used invitation code is refused with the server's invitation_used", async () => {
    const invitation = await invitePerson();
    await redeem(invitation.code);
    const el = await fixture<InviteRedeem>(
      html`<invite-redeem api-base=${apiBase} publishable-key=${publishableKey} lang="en"></invite-redeem>`,
    );
    const errors = spyEvents<KeywayErrorDetail>(el, 'keyway-error');
    await typeInto(el, 'textbox', 'Invitation code', invitation.code);
    await sendKeys({ press: 'Enter' });
    await until(() => errors.count === 1, 'keyway-error', 5000);
    expect(errors.details[0].code).to.equal('invitation_used');
    await until(() => queryByRole(el, 'alert'), 'alert');
    expect(textOf(getByRole(el, 'alert'))).to.match(/already been used/i);
  });

  it('flow B: a code is texted to a known number, read from the dev outbox and verified', async () => {
    const phone = freshPhone();
    const invitation = await invitePerson({ phone: phone.e164 });
    const el = await fixture<SmsOtpVerify>(
      html`<sms-otp-verify api-base=${apiBase} publishable-key=${publishableKey} country="DE" lang="en"></sms-otp-verify>`,
    );
    const sent = spyEvents<OtpSentDetail>(el, 'otp-sent');
    const verified = spyEvents<OtpVerifiedDetail>(el, 'otp-verified');
    const errors = spyEvents<KeywayErrorDetail>(el, 'keyway-error');

    await typeInto(el, 'textbox', 'Mobile number', phone.national);
    await sendKeys({ press: 'Enter' });
    await until(() => el.step === 'code', 'code step', 5000);
    expect(sent.details[0].verificationId).to.be.a('string').and.not.empty;

    const sms = await nextSms(phone.e164);
    const code = /#(\d{6})\s*$/.exec(sms.body)?.[1];
    expect(code, sms.body).to.match(/^\d{6}$/);

    // A wrong code first: the server's attempts_left reaches the person.
    const wrong = code === '000000' ? '111111' : '000000';
    await typeInto(el, 'textbox', 'Security code', wrong);
    await sendKeys({ press: 'Enter' });
    await until(() => errors.count === 1, 'incorrect_code', 5000);
    expect(errors.details[0].code).to.equal('incorrect_code');
    await until(() => /4 attempts? left/i.test(textOf(queryByRole(el, 'alert'))), 'attempts left shown');

    await typeInto(el, 'textbox', 'Security code', code!);
    await sendKeys({ press: 'Enter' });
    await until(() => verified.count === 1, 'otp-verified', 5000);
    expect(el.step).to.equal('done');
    expect(verified.details[0].provisioningToken).to.match(/^ps_/);
    expect(verified.details[0].credential.id).to.equal(invitation.credentialId);
    await expect(el).to.be.accessible();
  });

  it('one press gets a real, downloadable Apple pass URL and creates one pending device', async () => {
    const invitation = await invitePerson();
    const grant = await redeem(invitation.code);
    const navigations: string[] = [];
    passNavigator.assign = (url) => void navigations.push(url);
    // A ps_ alone: it names its credential, so no credential-id attribute.
    const el = await fixture<AddToWallet>(
      html`<add-to-wallet api-base=${apiBase} token=${grant.provisioning_token} platform="ios" lang="en"></add-to-wallet>`,
    );
    const requested = spyEvents(el, 'pass-requested');
    getByRole(el, 'button', 'Add to Apple Wallet').focus();
    await sendKeys({ press: 'Enter' });
    await until(() => navigations.length === 1, 'navigation to the pass', 5000);
    expect(requested.count).to.equal(1);

    const passUrl = new URL(navigations[0]);
    expect(passUrl.pathname).to.match(/^\/passes\/[^/]+\.pkpass$/);
    const download = await fetch(`/__keyway/public${passUrl.pathname}`);
    expect(download.status).to.equal(200);
    expect(download.headers.get('content-type')).to.equal('application/vnd.apple.pkpass');
    const bytes = new Uint8Array(await download.arrayBuffer());
    expect([...bytes.slice(0, 2)]).to.deep.equal([0x50, 0x4b]); // "PK": a ZIP

    const { person_credential } = await admin(
      'GET',
      `/api/3/people/${invitation.personId}/credentials/${invitation.credentialId}`,
    );
    expect(person_credential.devices).to.have.length(1);
    expect(person_credential.devices[0]).to.include({ platform: 'apple', status: 'pending' });
  });

  it('Google: the button navigates to a Google Wallet save link', async () => {
    const invitation = await invitePerson();
    const grant = await redeem(invitation.code);
    const navigations: string[] = [];
    passNavigator.assign = (url) => void navigations.push(url);
    const el = await fixture<AddToWallet>(
      html`<add-to-wallet api-base=${apiBase} token=${grant.provisioning_token} credential-id=${invitation.credentialId} platform="android" lang="en"></add-to-wallet>`,
    );
    getByRole(el, 'button', 'Add to Google Wallet').click();
    await until(() => navigations.length === 1, 'navigation to Google', 5000);
    expect(navigations[0]).to.match(/^https:\/\/pay\.google\.com\/gp\/v\/save\/[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('desktop: a real hand-off link as QR code; the phone can redeem it once for the same credential', async () => {
    const invitation = await invitePerson();
    const grant = await redeem(invitation.code);
    const el = await fixture<AddToWallet>(
      html`<add-to-wallet api-base=${apiBase} token=${grant.provisioning_token} platform="desktop" lang="en"></add-to-wallet>`,
    );
    await until(() => byPart(el, 'qr')?.querySelector('img'), 'QR image', 5000);
    const img = byPart(el, 'qr')!.querySelector('img')!;
    expect(img.src).to.match(/^data:image\/svg\+xml/);
    expect(img.alt).to.not.equal('');
    const link = byPart<HTMLAnchorElement>(el, 'handoff-link')!;
    expect(link.href).to.match(new RegExp(`^${apiBase.replace(/[.]/g, '\\.')}/p#h=.+`));
    await expect(el).to.be.accessible();

    const handoffToken = new URL(link.href).hash.slice('#h='.length);
    const redeemHandoff = () =>
      fetch(`${apiBase}/api/3/handoffs/redeem`, {
        method: 'POST',
        headers: { authorization: `Bearer ${publishableKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ handoff_token: handoffToken }),
      });
    const first = await redeemHandoff();
    expect(first.status).to.equal(200);
    expect((await first.json()).credential.id).to.equal(invitation.credentialId);
    const second = await redeemHandoff();
    expect(second.status).to.equal(410);
    expect((await second.json()).error.code).to.equal('link_expired');
  });

  it('a wallet pass revoked by an admin: <credential-status> shows it and fires status-changed', async () => {
    const invitation = await invitePerson();
    const grant = await redeem(invitation.code);
    const el = await fixture<CredentialStatusElement>(html`<credential-status
      api-base=${apiBase}
      token=${grant.provisioning_token}
      credential-id=${invitation.credentialId}
      lang="en"
      .pollInterval=${200}
    ></credential-status>`);
    const changed = spyEvents<StatusChangedDetail>(el, 'status-changed');
    await until(() => el.status === 'provisioning', 'first snapshot', 5000);
    expect(changed.count).to.equal(0);

    await admin('DELETE', `/api/3/people/${invitation.personId}/credentials/${invitation.credentialId}`);
    await until(() => el.status === 'revoked', 'revoked arrives', 8000);
    expect(changed.details[0]).to.include({ oldStatus: 'provisioning', newStatus: 'revoked' });
    await el.updateComplete;
    expect(textOf(byPart(el, 'badge'))).to.equal('Pass status: Removed');
    expect(el.getAttribute('status')).to.equal('revoked');
  });

  it('an active card suspended by an admin, seen through a client session (cs_)', async () => {
    const { person } = await admin('POST', '/api/3/people', { person: { first_name: 'Card', last_name: 'Holder' } });
    const { person_credential } = await admin('POST', `/api/3/people/${person.id}/credentials`, {
      person_credential: { credential_type_id: 1, value: '12345678' },
    });
    const session = await admin<{ token: string }>('POST', '/api/3/client_sessions', { person_id: person.id });
    expect(session.token).to.match(/^cs_/);
    const el = await fixture<CredentialStatusElement>(html`<credential-status
      api-base=${apiBase}
      token=${session.token}
      credential-id=${person_credential.id}
      lang="de"
      .pollInterval=${200}
    ></credential-status>`);
    const changed = spyEvents<StatusChangedDetail>(el, 'status-changed');
    await until(() => el.status === 'active', 'active', 5000);

    await admin('PUT', `/api/3/people/${person.id}/credentials/${person_credential.id}`, {
      person_credential: { enabled: false },
    });
    await until(() => el.status === 'suspended', 'suspended arrives', 8000);
    expect(changed.details[0]).to.include({ oldStatus: 'active', newStatus: 'suspended' });
    await el.updateComplete;
    expect(textOf(byPart(el, 'badge'))).to.contain('Gesperrt');
  });
});
