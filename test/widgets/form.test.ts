// Form participation (ElementInternals): a partner's own <form> sees the elements as fields.
import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/define.js';
import type { InviteRedeem, SmsOtpVerify } from '../../src/index.js';
import { getByRole, until } from './helpers/dom.js';
import { ScriptedClient } from './helpers/scripted-client.js';

const PK = 'pk_test_abcdefghijklmnop';

async function typeInto(el: Element, name: string, text: string) {
  getByRole<HTMLInputElement>(el, 'textbox', name).focus();
  await sendKeys({ type: text });
  await (el as InviteRedeem).updateComplete;
}

describe('form participation', () => {
  it('<invite-redeem name required>: invalid until all 12 symbols, then submits the grouped code', async () => {
    const form = await fixture<HTMLFormElement>(html`<form>
      <invite-redeem name="invitation" required publishable-key=${PK} lang="en" .client=${new ScriptedClient()}></invite-redeem>
    </form>`);
    const el = form.querySelector('invite-redeem')!;
    await el.updateComplete;
    expect(form.checkValidity()).to.equal(false);
    expect(el.matches(':invalid')).to.equal(true);
    expect(new FormData(form).has('invitation')).to.equal(false);

    await typeInto(el, 'Invitation code', '7kx9qm');
    expect(form.checkValidity()).to.equal(false);
    expect(new FormData(form).get('invitation')).to.equal('7KX-9QM');

    await typeInto(el, 'Invitation code', '2hr4td');
    expect(form.checkValidity()).to.equal(true);
    expect(new FormData(form).get('invitation')).to.equal('7KX-9QM-2HR-4TD');

    form.reset();
    await el.updateComplete;
    expect(getByRole<HTMLInputElement>(el, 'textbox', 'Invitation code').value).to.equal('');
    expect(new FormData(form).has('invitation')).to.equal(false);
    expect(form.checkValidity()).to.equal(false);
  });

  it('<invite-redeem> without required: empty is valid, a partial code is not', async () => {
    const form = await fixture<HTMLFormElement>(html`<form>
      <invite-redeem name="invitation" publishable-key=${PK} lang="en" .client=${new ScriptedClient()}></invite-redeem>
    </form>`);
    const el = form.querySelector('invite-redeem')!;
    await el.updateComplete;
    expect(form.checkValidity()).to.equal(true);
    await typeInto(el, 'Invitation code', '7KX');
    expect(form.checkValidity()).to.equal(false);
  });

  it('focus on the host (or a label for it) lands in its code field', async () => {
    const el = await fixture<InviteRedeem>(
      html`<invite-redeem publishable-key=${PK} lang="en" .client=${new ScriptedClient()}></invite-redeem>`,
    );
    el.focus();
    expect(el.shadowRoot!.activeElement).to.equal(getByRole(el, 'textbox', 'Invitation code'));
  });

  it('<sms-otp-verify name required>: no value until the number is confirmed, then its E.164 form', async () => {
    const now = new Date();
    const client = new ScriptedClient()
      .answer('startVerification', {
        data: {
          verification_id: 'ver_1',
          resend_after: new Date(now.getTime() + 60_000).toISOString(),
          expires_at: new Date(now.getTime() + 600_000).toISOString(),
        },
        serverDate: now,
      })
      .answer('checkVerification', {
        data: {
          provisioning_token: 'ps_x',
          expires_at: '2030-01-01T00:15:00Z',
          credential: { id: 'cred_2', status: 'provisioning', credential_type_id: 9 },
          person: { first_name: '' },
          wallets: ['apple', 'google'],
        },
      });
    const form = await fixture<HTMLFormElement>(html`<form>
      <sms-otp-verify name="phone" required country="GB" publishable-key=${PK} lang="en" .client=${client}></sms-otp-verify>
    </form>`);
    const el = form.querySelector<SmsOtpVerify>('sms-otp-verify')!;
    await el.updateComplete;
    expect(form.checkValidity()).to.equal(false);

    await typeInto(el, 'Mobile number', '07400123456');
    await sendKeys({ press: 'Enter' });
    await until(() => el.step === 'code', 'code step');
    await el.updateComplete;
    // A number that is typed but not yet confirmed is not a value.
    expect(form.checkValidity()).to.equal(false);
    expect(new FormData(form).has('phone')).to.equal(false);

    await typeInto(el, 'Security code', '123456');
    await sendKeys({ press: 'Enter' });
    await until(() => el.step === 'done', 'done');
    await el.updateComplete;
    expect(form.checkValidity()).to.equal(true);
    expect(new FormData(form).get('phone')).to.equal('+447400123456');
  });
});

describe('Eastern-Arabic digits', () => {
  it('a phone number typed in Eastern-Arabic digits is sent as E.164', async () => {
    const client = new ScriptedClient().answer('startVerification', {
      data: {
        verification_id: 'ver_1',
        resend_after: new Date(Date.now() + 60_000).toISOString(),
        expires_at: new Date(Date.now() + 600_000).toISOString(),
      },
    });
    const el = await fixture<SmsOtpVerify>(
      html`<sms-otp-verify country="EG" lang="ar" dir="rtl" publishable-key=${PK} .client=${client}></sms-otp-verify>`,
    );
    await el.updateComplete;
    const phone = el.shadowRoot!.querySelector<HTMLInputElement>('[part="phone-input"]')!;
    expect(phone.getAttribute('dir')).to.equal('ltr');
    phone.focus();
    await sendKeys({ type: '٠١٠٠١٢٣٤٥٦٧' });
    await sendKeys({ press: 'Enter' });
    await until(() => client.callsOf('startVerification').length === 1, 'verification started');
    expect(client.callsOf('startVerification')[0].args[0]).to.deep.include({ phoneNumber: '+201001234567' });
  });
});
