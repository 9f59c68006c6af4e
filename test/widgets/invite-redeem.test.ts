import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/define.js';
import type { InviteRedeem, InviteRedeemedDetail, KeywayErrorDetail } from '../../src/index.js';
import { byPart, getByRole, queryByRole, spyEvents, textOf, until } from './helpers/dom.js';
import { apiError, deferred, ScriptedClient } from './helpers/scripted-client.js';

const grant = {
  provisioning_token: 'ps_test_token_123',
  expires_at: '2030-01-01T00:15:00Z',
  credential: { id: 'cred_1', status: 'provisioning' as const, credential_type_id: 9 },
  person: { first_name: 'Jane' },
  wallets: ['apple', 'google'] as ('apple' | 'google')[],
};

async function mount(client: ScriptedClient, attrs: { code?: string; lang?: string } = {}) {
  const el = await fixture<InviteRedeem>(
    html`<invite-redeem publishable-key="pk_test_abcdefghijklmnop" api-base="https://keys.example" .client=${client} code=${attrs.code ?? ''} lang=${attrs.lang ?? 'en'}></invite-redeem>`,
  );
  return el;
}

async function typeCode(el: InviteRedeem, text: string) {
  getByRole<HTMLInputElement>(el, 'textbox', 'Invitation code').focus();
  await sendKeys({ type: text });
  await el.updateComplete;
}

describe('<invite-redeem>', () => {
  // What a tab remembers of redeemed codes lives in sessionStorage: each test starts with none.
  beforeEach(() => sessionStorage.clear());
  after(() => sessionStorage.clear());

  it('idle: one labelled code field and a submit button, accessible', async () => {
    const el = await mount(new ScriptedClient());
    const input = getByRole<HTMLInputElement>(el, 'textbox', 'Invitation code');
    expect(input).to.equal(el.shadowRoot!.querySelector('input'));
    expect(input.getAttribute('dir')).to.equal('ltr');
    getByRole(el, 'button', 'Redeem code');
    await expect(el).to.be.accessible();
  });

  it('upper-cases and groups the code while typing, forgiving look-alikes', async () => {
    const el = await mount(new ScriptedClient());
    await typeCode(el, '7kxoqmihrltd');
    expect(getByRole<HTMLInputElement>(el, 'textbox', 'Invitation code').value).to.equal('7KX-0QM-1HR-1TD');
  });

  it('accepts spaces, dashes and Eastern-Arabic digits', async () => {
    const el = await mount(new ScriptedClient());
    await typeCode(el, '٧kx 9qm-2hr ٤td');
    expect(getByRole<HTMLInputElement>(el, 'textbox', 'Invitation code').value).to.equal('7KX-9QM-2HR-4TD');
  });

  it('success: Enter redeems once and fires invite-redeemed with the grant', async () => {
    const client = new ScriptedClient().answer('redeemInvitation', { data: grant });
    const el = await mount(client);
    const redeemed = spyEvents<InviteRedeemedDetail>(document, 'invite-redeemed');
    await typeCode(el, '7KX9QM2HR4TD');
    await sendKeys({ press: 'Enter' });
    await until(() => redeemed.count === 1, 'invite-redeemed');
    expect(client.callsOf('redeemInvitation')).to.have.length(1);
    const call = client.callsOf('redeemInvitation')[0];
    expect(call.args[0]).to.equal('7KX-9QM-2HR-4TD');
    expect(call.ctx.publishableKey).to.equal('pk_test_abcdefghijklmnop');
    expect(call.ctx.apiBase).to.equal('https://keys.example');
    expect(redeemed.details[0]).to.deep.equal({
      provisioningToken: 'ps_test_token_123',
      expiresAt: '2030-01-01T00:15:00Z',
      credential: grant.credential,
    });
    await el.updateComplete;
    expect(textOf(byPart(el, 'success'))).to.contain('Welcome, Jane');
    expect(getByRole(el, 'status').contains(byPart(el, 'success'))).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('loading: shows progress, and a second press sends no second request', async () => {
    const hold = deferred<{ data: typeof grant }>();
    const client = new ScriptedClient().answer('redeemInvitation', { wait: hold.promise });
    const el = await mount(client, { code: '7KX-9QM-2HR-4TD' });
    const button = getByRole(el, 'button', 'Redeem code');
    button.click();
    await el.updateComplete;
    expect(button.getAttribute('aria-disabled')).to.equal('true');
    expect(byPart(el, 'spinner')).to.exist;
    await expect(el).to.be.accessible();
    button.click();
    await sendKeys({ press: 'Enter' });
    hold.resolve({ data: grant });
    await until(() => byPart(el, 'success'), 'success');
    expect(client.callsOf('redeemInvitation')).to.have.length(1);
  });

  it('an incomplete code is caught before any request', async () => {
    const client = new ScriptedClient();
    const el = await mount(client);
    await typeCode(el, '7KX9');
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(textOf(getByRole(el, 'alert'))).to.contain('all 12 letters and numbers');
    expect(client.calls).to.have.length(0);
    expect(getByRole(el, 'textbox', 'Invitation code').getAttribute('aria-invalid')).to.equal('true');
  });

  const errorCases: [string, number, RegExp][] = [
    ['invitation_not_found', 404, /not recognised/],
    ['invitation_expired', 410, /has expired/],
    ['invitation_used', 409, /already been used/],
    ['credential_disabled', 403, /disabled by your administrator/],
    ['origin_not_allowed', 403, /not allowed to use this service/],
  ];
  for (const [code, status, words] of errorCases) {
    it(`error ${code}: says so next to the field and fires keyway-error`, async () => {
      const client = new ScriptedClient().answer('redeemInvitation', { error: apiError(code, { status }) });
      const el = await mount(client, { code: '7KX-9QM-2HR-4TD' });
      const errors = spyEvents<KeywayErrorDetail>(el, 'keyway-error');
      await sendKeys({ press: 'Tab' });
      getByRole(el, 'button', 'Redeem code').click();
      await until(() => errors.count === 1, 'keyway-error');
      await el.updateComplete;
      expect(errors.details[0].code).to.equal(code);
      expect(errors.details[0].message).to.be.a('string').and.not.empty;
      const alert = getByRole(el, 'alert');
      expect(textOf(alert)).to.match(words);
      const input = getByRole(el, 'textbox', 'Invitation code');
      expect(input.getAttribute('aria-describedby')).to.contain(alert.id);
      await expect(el).to.be.accessible();
    });
  }

  it('rate_limited: says when to try again from Retry-After and holds the button', async () => {
    const client = new ScriptedClient().answer('redeemInvitation', {
      error: apiError('rate_limited', { status: 429, retryAfter: 30 }),
    });
    const el = await mount(client, { code: '7KX-9QM-2HR-4TD' });
    getByRole(el, 'button', 'Redeem code').click();
    await until(() => queryByRole(el, 'alert'), 'alert');
    expect(textOf(getByRole(el, 'alert'))).to.match(/Too many tries\. Try again in 30 seconds/);
    expect(getByRole(el, 'button', 'Redeem code').getAttribute('aria-disabled')).to.equal('true');
    getByRole(el, 'button', 'Redeem code').click();
    await el.updateComplete;
    expect(client.callsOf('redeemInvitation')).to.have.length(1);
    await expect(el).to.be.accessible();
  });

  it('network failure: offers Try again, which redeems', async () => {
    const client = new ScriptedClient()
      .answer('redeemInvitation', { error: apiError('network_error') })
      .answer('redeemInvitation', { data: grant });
    const el = await mount(client, { code: '7KX-9QM-2HR-4TD' });
    getByRole(el, 'button', 'Redeem code').click();
    await until(() => queryByRole(el, 'button', 'Try again'), 'retry button');
    expect(textOf(getByRole(el, 'alert'))).to.match(/could not reach the server/);
    await expect(el).to.be.accessible();
    getByRole(el, 'button', 'Try again').focus();
    await sendKeys({ press: 'Enter' });
    await until(() => byPart(el, 'success'), 'success after retry');
    expect(client.callsOf('redeemInvitation')).to.have.length(2);
  });

  it('the same code again in the same tab resumes its session: no second request, the same grant', async () => {
    const client = new ScriptedClient().answer('redeemInvitation', { data: grant });
    const first = await mount(client, { code: '7KX-9QM-2HR-4TD' });
    getByRole(first, 'button', 'Redeem code').click();
    await until(() => byPart(first, 'success'), 'first redeem');
    const key = client.callsOf('redeemInvitation')[0].ctx.idempotencyKey;
    expect(key, 'an Idempotency-Key per code').to.match(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify({ ...sessionStorage })).not.to.contain('7KX');

    // The page reloaded: a new element, the same tab.
    const again = await mount(client, { code: '7kx 9qm 2hr 4td' });
    const redeemed = spyEvents<InviteRedeemedDetail>(document, 'invite-redeemed');
    getByRole(again, 'button', 'Redeem code').click();
    await until(() => redeemed.count === 1, 'invite-redeemed from memory');
    expect(client.callsOf('redeemInvitation')).to.have.length(1);
    expect(redeemed.details[0].provisioningToken).to.equal('ps_test_token_123');
  });

  it('a retry after a lost answer sends the same Idempotency-Key; a refusal forgets it', async () => {
    const client = new ScriptedClient()
      .answer('redeemInvitation', { error: apiError('network_error') })
      .answer('redeemInvitation', { error: apiError('invitation_not_found', { status: 404 }) })
      .answer('redeemInvitation', { data: grant });
    const el = await mount(client, { code: '7KX-9QM-2HR-4TD' });
    getByRole(el, 'button', 'Redeem code').click();
    await until(() => queryByRole(el, 'button', 'Try again'), 'retry button');
    getByRole(el, 'button', 'Try again').click();
    await until(() => /not recognised/.test(textOf(queryByRole(el, 'alert'))), 'not found');
    getByRole(el, 'button', 'Redeem code').click();
    await until(() => byPart(el, 'success'), 'success');
    const keys = client.callsOf('redeemInvitation').map((call) => call.ctx.idempotencyKey);
    expect(keys[1]).to.equal(keys[0]);
    expect(keys[2]).not.to.equal(keys[1]);
  });

  it('code-param: reads #code= first, then removes it from the address bar', async () => {
    const before = window.location.href;
    history.replaceState(null, '', '?code=AAA-AAA-AAA-AAA#code=7kx-9qm-2hr-4td&x=1');
    try {
      const el = await fixture<InviteRedeem>(
        html`<invite-redeem code-param .client=${new ScriptedClient()}></invite-redeem>`,
      );
      expect(getByRole<HTMLInputElement>(el, 'textbox', 'Invitation code').value).to.equal('7KX-9QM-2HR-4TD');
      expect(window.location.hash).to.equal('#x=1');
    } finally {
      history.replaceState(null, '', before);
    }
  });

  it('code-param: falls back to ?code= and removes it', async () => {
    const before = window.location.href;
    history.replaceState(null, '', `${location.pathname}?keep=1&code=7kx9qm2hr4td`);
    try {
      const el = await fixture<InviteRedeem>(
        html`<invite-redeem code-param .client=${new ScriptedClient()}></invite-redeem>`,
      );
      expect(getByRole<HTMLInputElement>(el, 'textbox', 'Invitation code').value).to.equal('7KX-9QM-2HR-4TD');
      expect(window.location.search).to.equal('?keep=1');
    } finally {
      history.replaceState(null, '', before);
    }
  });

  it('German and Arabic follow lang; Arabic is right-to-left with a left-to-right code field', async () => {
    const de = await mount(new ScriptedClient(), { lang: 'de' });
    getByRole(de, 'textbox', 'Einladungscode');
    getByRole(de, 'button', 'Code einlösen');
    const ar = await mount(new ScriptedClient(), { lang: 'ar' });
    expect(byPart(ar, 'base')!.getAttribute('dir')).to.equal('rtl');
    const input = getByRole(ar, 'textbox', 'رمز الدعوة');
    expect(getComputedStyle(input).direction).to.equal('ltr');
    await expect(ar).to.be.accessible();
  });

  it('looks: the example code in the hint never breaks across lines', async () => {
    for (const lang of ['en', 'de', 'ar']) {
      const el = await mount(new ScriptedClient(), { lang });
      el.style.width = '180px';
      await el.updateComplete;
      const code = byPart(el, 'hint')!.querySelector('bdi')!;
      expect(code.textContent).to.equal('7KX-9QM-2HR-4TD');
      expect(code.getClientRects().length, lang).to.equal(1);
    }
  });
});
