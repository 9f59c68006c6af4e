import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/define.js';
import {
  type KeywayErrorDetail,
  type OtpSentDetail,
  type OtpVerifiedDetail,
  type SmsOtpVerify,
  webOtp,
} from '../../src/index.js';
import { byPart, getByRole, queryByRole, spyEvents, textOf, until } from './helpers/dom.js';
import { apiError, ScriptedClient } from './helpers/scripted-client.js';

const grant = {
  provisioning_token: 'ps_from_sms',
  expires_at: '2030-01-01T00:15:00Z',
  credential: { id: 'cred_2', status: 'provisioning' as const, credential_type_id: 9 },
  person: { first_name: '' },
  wallets: ['apple' as const, 'google' as const],
};

/** A verification whose resend opens `resendIn` s and expiry `expiresIn` s after the server's now. */
function started(serverNow: Date, resendIn = 60, expiresIn = 600, id = 'ver_1') {
  return {
    data: {
      verification_id: id,
      resend_after: new Date(serverNow.getTime() + resendIn * 1000).toISOString(),
      expires_at: new Date(serverNow.getTime() + expiresIn * 1000).toISOString(),
    },
    serverDate: serverNow,
  };
}

const originalReceive = webOtp.receive;

async function mount(client: ScriptedClient, lang = 'en') {
  return fixture<SmsOtpVerify>(
    html`<sms-otp-verify publishable-key="pk_test_abcdefghijklmnop" country="GB" lang=${lang} .client=${client}></sms-otp-verify>`,
  );
}

async function enterPhone(el: SmsOtpVerify, phone = '07400123456') {
  getByRole(el, 'textbox', 'Mobile number').focus();
  await sendKeys({ type: phone });
  await sendKeys({ press: 'Enter' });
}

async function reachCodeStep(client: ScriptedClient, resendIn = 60) {
  client.answer('startVerification', started(new Date(), resendIn));
  const el = await mount(client);
  await enterPhone(el);
  await until(() => el.step === 'code', 'code step');
  await el.updateComplete;
  return el;
}

async function enterCode(el: SmsOtpVerify, code: string) {
  const input = getByRole<HTMLInputElement>(el, 'textbox', 'Security code');
  input.focus();
  input.select();
  await sendKeys({ type: code });
  await sendKeys({ press: 'Enter' });
}

describe('<sms-otp-verify>', () => {
  afterEach(() => {
    webOtp.receive = originalReceive;
  });

  it('phone step: country picker, tel field and Send code, accessible; step reflected', async () => {
    const el = await mount(new ScriptedClient());
    expect(el.getAttribute('step')).to.equal('phone');
    const phone = getByRole<HTMLInputElement>(el, 'textbox', 'Mobile number');
    expect(phone.type).to.equal('tel');
    expect(phone.autocomplete).to.equal('tel');
    expect(phone.getAttribute('dir')).to.equal('ltr');
    getByRole(el, 'button', 'Send code');
    await expect(el).to.be.accessible();
  });

  it('one field first: the country is the number’s prefix, its picker (search inside) opens on press and closes on a choice', async () => {
    const el = await mount(new ScriptedClient());
    await until(() => (byPart<HTMLSelectElement>(el, 'country-select')?.options.length ?? 0) > 100, 'country list');
    await el.updateComplete;
    const prefix = getByRole<HTMLButtonElement>(el, 'button', 'Country: United Kingdom +44');
    expect(textOf(prefix)).to.equal('Country: United Kingdom +44');
    expect(prefix.getAttribute('aria-expanded')).to.equal('false');
    // Closed, the picker's search and list are out of sight and out of the accessibility tree.
    expect(queryByRole(el, 'searchbox', 'Search countries')).to.equal(null);
    expect(queryByRole(el, 'listbox', 'Country')).to.equal(null);
    expect(byPart(el, 'country-picker')!.hidden).to.equal(true);

    prefix.click();
    await el.updateComplete;
    expect(prefix.getAttribute('aria-expanded')).to.equal('true');
    const search = getByRole<HTMLInputElement>(el, 'searchbox', 'Search countries');
    expect(el.shadowRoot!.activeElement).to.equal(search);
    // The list shows its matches in place (a list box), not behind another drop-down.
    getByRole(el, 'listbox', 'Country');
    await expect(el).to.be.accessible();

    // Search inside the picker, Enter goes to the narrowed list on its first match, Enter picks it and goes to the number.
    await sendKeys({ type: 'Germ' });
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    const list = byPart<HTMLSelectElement>(el, 'country-select')!;
    expect(el.shadowRoot!.activeElement).to.equal(list);
    expect(list.value, 'the first match, not the United Kingdom kept in the list').to.equal('DE');
    expect(byPart(el, 'country-picker')!.hidden, 'moving to the list keeps the picker open').to.equal(false);
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(byPart(el, 'country-picker')!.hidden).to.equal(true);
    expect(el.shadowRoot!.activeElement).to.equal(getByRole(el, 'textbox', 'Mobile number'));
    getByRole(el, 'button', 'Country: Germany +49');
    expect(el.getAttribute('step'), 'Enter in the picker never sends the form').to.equal('phone');

    // Arrow keys on the list change the country without closing the picker.
    prefix.click();
    await el.updateComplete;
    list.focus();
    list.value = 'FR';
    list.dispatchEvent(new Event('change', { bubbles: true }));
    await el.updateComplete;
    expect(byPart(el, 'country-picker')!.hidden, 'a key-made change keeps the picker open').to.equal(false);
    await sendKeys({ press: 'Escape' });
    await el.updateComplete;

    // Escape closes it back to the prefix; a pointer's choice closes it too.
    prefix.click();
    await el.updateComplete;
    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expect(byPart(el, 'country-picker')!.hidden).to.equal(true);
    expect(el.shadowRoot!.activeElement).to.equal(prefix);
    prefix.click();
    await el.updateComplete;
    list.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    list.value = 'IT';
    list.dispatchEvent(new Event('change', { bubbles: true }));
    await el.updateComplete;
    expect(byPart(el, 'country-picker')!.hidden).to.equal(true);
    expect(textOf(prefix)).to.equal('Country: Italy +39');
    expect(el.shadowRoot!.activeElement).to.equal(getByRole(el, 'textbox', 'Mobile number'));

    // A press on the prefix while the picker is open never moves focus first (Safari and Firefox do not
    // focus a pressed button, so a focusout would close the picker and the click reopen it).
    prefix.click();
    await el.updateComplete;
    const down = new MouseEvent('mousedown', { bubbles: true, cancelable: true });
    prefix.dispatchEvent(down);
    expect(down.defaultPrevented).to.equal(true);
  });

  it('loads phone metadata lazily and formats as you type', async () => {
    const el = await mount(new ScriptedClient());
    await until(() => (byPart<HTMLSelectElement>(el, 'country-select')?.options.length ?? 0) > 100, 'country list');
    getByRole(el, 'textbox', 'Mobile number').focus();
    await sendKeys({ type: '07400123456' });
    expect(getByRole<HTMLInputElement>(el, 'textbox', 'Mobile number').value).to.equal('07400 123456');
  });

  it('the country search narrows the list', async () => {
    const el = await mount(new ScriptedClient());
    await until(() => (byPart<HTMLSelectElement>(el, 'country-select')?.options.length ?? 0) > 100, 'country list');
    byPart<HTMLButtonElement>(el, 'country-button')!.click();
    await el.updateComplete;
    await sendKeys({ type: 'Germ' });
    await el.updateComplete;
    const names = [...byPart<HTMLSelectElement>(el, 'country-select')!.options].map((o) => o.value);
    expect(names).to.include('DE');
    expect(names).to.include('GB'); // the selected country stays
    expect(names.length).to.be.lessThan(5);
  });

  it('sends the number as E.164 and shows the code step; otp-sent carries the verification', async () => {
    const client = new ScriptedClient();
    const sent = spyEvents<OtpSentDetail>(document, 'otp-sent');
    const el = await reachCodeStep(client);
    expect(client.callsOf('startVerification')[0].args[0]).to.deep.equal({
      phoneNumber: '+447400123456',
      country: 'GB',
    });
    expect(el.getAttribute('step')).to.equal('code');
    expect(sent.details[0].verificationId).to.equal('ver_1');
    expect(sent.details[0]).to.have.keys(['verificationId', 'expiresAt', 'resendAfter']);
    expect(textOf(byPart(el, 'base'))).to.contain('+44 7400 123456');
    const code = getByRole<HTMLInputElement>(el, 'textbox', 'Security code');
    expect(code.inputMode).to.equal('numeric');
    expect(code.autocomplete).to.equal('one-time-code');
    expect(code.hasAttribute('maxlength')).to.equal(false);
    expect(el.shadowRoot!.activeElement).to.equal(code);
    await expect(el).to.be.accessible();
  });

  it('an invalid number is caught before any request', async () => {
    const client = new ScriptedClient();
    const el = await mount(client);
    await enterPhone(el, '123');
    await until(() => queryByRole(el, 'alert'), 'alert');
    expect(textOf(getByRole(el, 'alert'))).to.contain('Enter a mobile number');
    expect(client.calls).to.have.length(0);
  });

  const phoneErrors: [string, number, RegExp][] = [
    ['phone_not_found', 404, /check your profile has this number/i],
    ['country_not_allowed', 422, /cannot be used here/],
    ['invalid_phone_number', 400, /Enter a mobile number/],
    ['origin_not_allowed', 403, /not allowed to use this service/],
  ];
  for (const [code, status, words] of phoneErrors) {
    it(`phone step error ${code}`, async () => {
      const client = new ScriptedClient().answer('startVerification', { error: apiError(code, { status }) });
      const el = await mount(client);
      const errors = spyEvents<KeywayErrorDetail>(el, 'keyway-error');
      await enterPhone(el);
      await until(() => errors.count === 1, 'keyway-error');
      await el.updateComplete;
      expect(errors.details[0].code).to.equal(code);
      expect(el.step).to.equal('phone');
      expect(textOf(getByRole(el, 'alert'))).to.match(words);
      await expect(el).to.be.accessible();
    });
  }

  it('rate_limited on send says when to retry', async () => {
    const client = new ScriptedClient().answer('startVerification', {
      error: apiError('rate_limited', { status: 429, retryAfter: 120 }),
    });
    const el = await mount(client);
    await enterPhone(el);
    await until(() => queryByRole(el, 'alert'), 'alert');
    expect(textOf(getByRole(el, 'alert'))).to.match(/Too many tries\. Try again in 2 minutes/);
  });

  it('conceal policy: an unknown number looks exactly like a known one', async () => {
    const client = new ScriptedClient().answer('checkVerification', {
      error: apiError('incorrect_code', { status: 422, details: { attempts_left: 4 } }),
    });
    const el = await reachCodeStep(client);
    await enterCode(el, '111111');
    await until(() => queryByRole(el, 'alert'), 'alert');
    expect(textOf(getByRole(el, 'alert'))).to.contain('You have 4 attempts left.');
  });

  it('network failure on send offers Try again', async () => {
    const client = new ScriptedClient()
      .answer('startVerification', { error: apiError('network_error') })
      .answer('startVerification', started(new Date()));
    const el = await mount(client);
    await enterPhone(el);
    await until(() => queryByRole(el, 'button', 'Try again'), 'retry');
    getByRole(el, 'button', 'Try again').click();
    await until(() => el.step === 'code', 'code step after retry');
  });

  it('a pasted SMS is cleaned to its code; typing never submits by itself; Continue verifies', async () => {
    const client = new ScriptedClient().answer('checkVerification', { data: grant });
    const el = await reachCodeStep(client);
    const verified = spyEvents<OtpVerifiedDetail>(document, 'otp-verified');
    const input = getByRole<HTMLInputElement>(el, 'textbox', 'Security code');
    input.focus();
    // One insertion, as a paste delivers it (sendKeys would type it key by key).
    document.execCommand(
      'insertText',
      false,
      'Your Keyway code is 482913. Link: https://k.example/v/x\n@k.example #482913',
    );
    expect(input.value).to.equal('482913');
    await new Promise((r) => setTimeout(r, 100));
    expect(client.callsOf('checkVerification')).to.have.length(0);
    getByRole(el, 'button', 'Continue').click();
    await until(() => verified.count === 1, 'otp-verified');
    expect(client.callsOf('checkVerification')[0].args).to.deep.equal(['ver_1', '482913']);
    expect(verified.details[0]).to.deep.equal({
      provisioningToken: 'ps_from_sms',
      expiresAt: grant.expires_at,
      credential: grant.credential,
    });
    await el.updateComplete;
    expect(el.getAttribute('step')).to.equal('done');
    expect(textOf(byPart(el, 'success'))).to.equal('Your mobile number is confirmed.');
    await expect(el).to.be.accessible();
  });

  it('Eastern-Arabic digits are accepted in the code', async () => {
    const client = new ScriptedClient().answer('checkVerification', { data: grant });
    const el = await reachCodeStep(client);
    await enterCode(el, '١٢٣ ٤٥٦');
    await until(() => client.callsOf('checkVerification').length === 1, 'check');
    expect(client.callsOf('checkVerification')[0].args[1]).to.equal('123456');
  });

  it('incorrect_code shows attempts left and keeps the field', async () => {
    const client = new ScriptedClient().answer('checkVerification', {
      error: apiError('incorrect_code', { status: 422, details: { attempts_left: 1 } }),
    });
    const el = await reachCodeStep(client);
    await enterCode(el, '000000');
    await until(() => queryByRole(el, 'alert'), 'alert');
    expect(textOf(getByRole(el, 'alert'))).to.equal('Error: The code is not correct. You have 1 attempt left.');
    expect(getByRole(el, 'textbox', 'Security code').getAttribute('aria-invalid')).to.equal('true');
    await expect(el).to.be.accessible();
  });

  it('too_many_attempts locks the code out; Start again sends a new code to the same number', async () => {
    const client = new ScriptedClient()
      .answer('checkVerification', { error: apiError('too_many_attempts', { status: 429, retryAfter: 600 }) })
      .answer('startVerification', started(new Date(), 60, 600, 'ver_2'));
    const el = await reachCodeStep(client);
    await enterCode(el, '000000');
    await until(() => queryByRole(el, 'button', 'Start again'), 'start again');
    expect(textOf(getByRole(el, 'alert'))).to.match(/Too many wrong codes\. Try again in 10 minutes/);
    expect(queryByRole(el, 'textbox', 'Security code')).to.equal(null);
    await expect(el).to.be.accessible();
    getByRole(el, 'button', 'Start again').click();
    await until(() => client.callsOf('startVerification').length === 2, 'second verification');
    expect(client.callsOf('startVerification')[1].args[0]).to.deep.equal({
      phoneNumber: '+447400123456',
      country: 'GB',
    });
    await until(() => queryByRole(el, 'textbox', 'Security code'), 'code field again');
  });

  it('verification_expired offers a new code', async () => {
    const client = new ScriptedClient()
      .answer('checkVerification', { error: apiError('verification_expired', { status: 410 }) })
      .answer('startVerification', started(new Date(), 60, 600, 'ver_3'));
    const el = await reachCodeStep(client);
    await enterCode(el, '123456');
    await until(() => queryByRole(el, 'alert'), 'alert');
    expect(textOf(getByRole(el, 'alert'))).to.contain('This code has expired');
    await expect(el).to.be.accessible();
    getByRole(el, 'button', 'Send a new code').click();
    await until(() => client.callsOf('startVerification').length === 2, 'new verification');
  });

  it('resend waits for resend_after measured against the server Date, then resends', async () => {
    const client = new ScriptedClient();
    // The phone clock is an hour ahead of the server: only the Date header gives the right wait.
    const serverNow = new Date(Date.now() - 3600_000);
    client.answer('startVerification', started(serverNow, 2));
    const el = await mount(client);
    await enterPhone(el);
    await until(() => el.step === 'code', 'code step');
    await el.updateComplete;
    getByRole(el, 'group').querySelector('summary')!.click();
    await el.updateComplete;
    const resend = getByRole(el, 'button', 'Send a new code');
    expect(resend.getAttribute('aria-disabled')).to.equal('true');
    expect(textOf(byPart(el, 'countdown'))).to.match(/You can send a new code in [12] seconds?\./);
    resend.click();
    expect(client.callsOf('resendVerification')).to.have.length(0);
    await expect(el).to.be.accessible();
    client.answer('resendVerification', started(new Date(), 60, 600, 'ver_r'));
    await until(() => resend.getAttribute('aria-disabled') === 'false', 'resend allowed', 4000);
    const sent = spyEvents<OtpSentDetail>(el, 'otp-sent');
    resend.click();
    await until(() => sent.count === 1, 'otp-sent after resend');
    expect(client.callsOf('resendVerification')[0].args).to.deep.equal(['ver_1']);
    expect(sent.details[0].verificationId).to.equal('ver_r');
    await until(() => textOf(getByRole(el, 'status')).includes('A new code has been sent'), 'announced');
  });

  it('resend refused with rate_limited says when', async () => {
    const client = new ScriptedClient();
    const el = await reachCodeStep(client, 0);
    client.answer('resendVerification', { error: apiError('rate_limited', { status: 429, retryAfter: 45 }) });
    getByRole(el, 'group').querySelector('summary')!.click();
    await el.updateComplete;
    getByRole(el, 'button', 'Send a new code').click();
    await until(() => queryByRole(el, 'alert'), 'alert');
    expect(textOf(getByRole(el, 'alert'))).to.match(/Try again in 45 seconds/);
  });

  it('"Not received a text message?" leads to changing the number', async () => {
    const el = await reachCodeStep(new ScriptedClient());
    const summary = getByRole(el, 'group').querySelector('summary')!;
    summary.focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    getByRole(el, 'button', 'Change mobile number').click();
    await until(() => el.step === 'phone', 'phone step');
    await el.updateComplete;
    expect(el.shadowRoot!.activeElement).to.equal(getByRole(el, 'textbox', 'Mobile number'));
  });

  it('WebOTP, where the browser has it, fills the code and continues', async () => {
    let signal: AbortSignal | undefined;
    webOtp.receive = async (s) => {
      signal = s;
      return '765432';
    };
    const client = new ScriptedClient()
      .answer('startVerification', started(new Date()))
      .answer('checkVerification', { data: grant });
    const el = await mount(client);
    await enterPhone(el);
    await until(() => el.step === 'done', 'done by WebOTP');
    expect(client.callsOf('checkVerification')[0].args[1]).to.equal('765432');
    expect(signal).to.be.instanceOf(AbortSignal);
  });

  it('WebOTP is aborted when the person changes number', async () => {
    let signal: AbortSignal | undefined;
    webOtp.receive = (s) => {
      signal = s;
      return new Promise(() => undefined);
    };
    const el = await reachCodeStep(new ScriptedClient());
    getByRole(el, 'group').querySelector('summary')!.click();
    await el.updateComplete;
    getByRole(el, 'button', 'Change mobile number').click();
    await until(() => signal?.aborted, 'aborted');
  });

  it('Arabic: right-to-left page, phone and code fields stay left-to-right', async () => {
    const el = await mount(new ScriptedClient(), 'ar');
    expect(byPart(el, 'base')!.getAttribute('dir')).to.equal('rtl');
    const phone = getByRole(el, 'textbox', 'رقم الهاتف المحمول');
    expect(getComputedStyle(phone).direction).to.equal('ltr');
    await expect(el).to.be.accessible();
  });

  // ---- docs/elements.md "Behaviour a real journey depends on" ----------------------------------------

  /** An element as a page without a `country` attribute has it: the locale decides. */
  async function mountLocale(client: ScriptedClient, lang: string) {
    const el = await fixture<SmsOtpVerify>(
      html`<sms-otp-verify publishable-key="pk_test_abcdefghijklmnop" lang=${lang} .client=${client}></sms-otp-verify>`,
    );
    await until(() => (byPart<HTMLSelectElement>(el, 'country-select')?.options.length ?? 0) > 100, 'country list');
    await until(() => byPart(el, 'example'), 'example hint');
    return el;
  }

  /** Types into a field found by part (the label is in the page's language) and presses Enter. */
  async function typeAndEnter(el: SmsOtpVerify, partName: string, text: string) {
    const field = byPart<HTMLInputElement>(el, partName)!;
    field.focus();
    field.select();
    await sendKeys({ type: text });
    await sendKeys({ press: 'Enter' });
  }

  /** The numbers the hint offers as examples, as a person reads them. */
  function hintExamples(el: SmsOtpVerify): string[] {
    return [...byPart(el, 'example')!.querySelectorAll('bdi')].map((b) => b.textContent!.trim());
  }

  const localeCountries: [string, string, string][] = [
    ['en', 'GB', '+44'],
    ['de', 'DE', '+49'],
    ['ar', 'AE', '+971'],
  ];
  for (const [lang, country, callingCode] of localeCountries) {
    it(`${lang}: ${country} is preselected, and typing exactly the hint's example (national and international) sends it`, async () => {
      const probe = await mountLocale(new ScriptedClient(), lang);
      expect(byPart<HTMLSelectElement>(probe, 'country-select')!.value).to.equal(country);
      const examples = hintExamples(probe);
      expect(examples).to.have.length(2);
      expect(examples[1].startsWith(`${callingCode} `), examples[1]).to.equal(true);
      for (const example of examples) {
        const client = new ScriptedClient().answer('startVerification', started(new Date()));
        const el = await mountLocale(client, lang);
        await typeAndEnter(el, 'phone-input', example);
        await until(() => el.step === 'code', `"${example}" accepted`);
        const request = client.callsOf('startVerification')[0].args[0] as { phoneNumber: string; country: string };
        expect(request.country).to.equal(country);
        expect(request.phoneNumber.startsWith(callingCode)).to.equal(true);
      }
    });
  }

  it('a key’s default country given as `country` wins over the locale', async () => {
    const el = await fixture<SmsOtpVerify>(
      html`<sms-otp-verify country="FR" lang="de" .client=${new ScriptedClient()}></sms-otp-verify>`,
    );
    await until(() => (byPart<HTMLSelectElement>(el, 'country-select')?.options.length ?? 0) > 100, 'country list');
    expect(byPart<HTMLSelectElement>(el, 'country-select')!.value).to.equal('FR');
    const de = await fixture<SmsOtpVerify>(
      html`<sms-otp-verify lang="de-AT" .client=${new ScriptedClient()}></sms-otp-verify>`,
    );
    expect(byPart<HTMLSelectElement>(de, 'country-select')!.value).to.equal('AT');
  });

  it('formats the number from the first digits, not only once it is valid', async () => {
    const el = await mountLocale(new ScriptedClient(), 'en');
    getByRole(el, 'textbox', 'Mobile number').focus();
    await sendKeys({ type: '074001' });
    expect(getByRole<HTMLInputElement>(el, 'textbox', 'Mobile number').value).to.equal('07400 1');
  });

  /** The accessible description of a field: the texts its aria-describedby names, in order. */
  function description(field: Element): string {
    const root = field.getRootNode() as ShadowRoot;
    return (field.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .map((id) => textOf(root.getElementById(id)))
      .join(' ');
  }

  it('the code step is announced, and its field is described by the number the code went to and its expiry', async () => {
    const el = await reachCodeStep(new ScriptedClient());
    const field = getByRole(el, 'textbox', 'Security code');
    const described = description(field);
    expect(described).to.contain('+44 7400 123456');
    expect(described).to.contain('The code expires in 10 minutes.');
    const status = textOf(getByRole(el, 'status'));
    expect(status).to.contain('Check your phone');
    expect(status).to.contain('+44 7400 123456');
  });

  for (const lang of ['en', 'de', 'ar']) {
    it(`${lang}: a 10-minute code "expires in 10 minutes" and a 60-second wait is "1 minute", on screen and announced`, async () => {
      // The server's Date header has whole seconds: the code's life as measured here is up to 1 s longer.
      const now = Date.now();
      const client = new ScriptedClient().answer('startVerification', {
        data: {
          verification_id: 'ver_t',
          resend_after: new Date(now + 60_000).toISOString(),
          expires_at: new Date(now + 600_000).toISOString(),
        },
        serverDate: new Date(Math.floor(now / 1000) * 1000 - 900),
      });
      const el = await mount(client, lang);
      byPart(el, 'phone-input')!.focus();
      await sendKeys({ type: '07400123456' });
      await sendKeys({ press: 'Enter' });
      await until(() => el.step === 'code', 'code step', 10_000);
      await el.updateComplete;
      const tag = lang === 'ar' ? 'ar-u-nu-latn' : lang;
      const inTen = new Intl.RelativeTimeFormat(tag, { numeric: 'auto' }).format(10, 'minute');
      const inOne = new Intl.RelativeTimeFormat(tag, { numeric: 'auto' }).format(1, 'minute');
      expect(description(byPart(el, 'code-input')!)).to.contain(inTen);
      expect(textOf(getByRole(el, 'status'))).to.contain(inTen);
      expect(textOf(byPart(el, 'countdown'))).to.contain(inOne);
      await expect(el).to.be.accessible();
    });
  }

  it('a wrong code announces only the error: no "Please wait", no second reading of the step', async () => {
    const client = new ScriptedClient().answer('checkVerification', {
      error: apiError('incorrect_code', { status: 422, details: { attempts_left: 4 } }),
    });
    const el = await reachCodeStep(client);
    const announced: string[] = [];
    const live = '[role="status"], [role="alert"], [aria-live]';
    const observer = new MutationObserver((records) => {
      for (const record of records) {
        const target = record.target instanceof Element ? record.target : record.target.parentElement;
        const inside = Boolean(target?.closest(live));
        const added = record.type === 'characterData' ? [record.target] : [...record.addedNodes];
        for (const node of added) {
          // Text that lands in a live region: inside one, or a region arriving with its words.
          const regions = inside ? [node] : node instanceof Element ? [...node.querySelectorAll(live)] : [];
          if (node instanceof Element && !inside && node.matches(live)) regions.push(node);
          for (const region of regions) {
            const text = (region.textContent ?? '').replace(/\s+/g, ' ').trim();
            if (text) announced.push(text);
          }
        }
      }
    });
    observer.observe(el.shadowRoot!, { childList: true, subtree: true, characterData: true });
    await enterCode(el, '000000');
    await until(() => queryByRole(el, 'alert'), 'alert');
    await el.updateComplete;
    observer.disconnect();
    expect(announced.join(' | ')).to.equal('Error: The code is not correct. You have 4 attempts left.');
  });

  it('numbers and calling codes are direction-isolated: one left-to-right unit that does not wrap', async () => {
    const el = await mount(new ScriptedClient().answer('startVerification', started(new Date())), 'ar');
    await until(() => (byPart<HTMLSelectElement>(el, 'country-select')?.options.length ?? 0) > 100, 'country list');
    const gb = [...byPart<HTMLSelectElement>(el, 'country-select')!.options].find((o) => o.value === 'GB')!;
    expect(gb.textContent!.trim().endsWith('(\u2066+44\u2069)'), gb.textContent!).to.equal(true);
    getByRole(el, 'textbox', 'رقم الهاتف المحمول').focus();
    await sendKeys({ type: '07400123456' });
    await sendKeys({ press: 'Enter' });
    await until(() => el.step === 'code', 'code step');
    await el.updateComplete;
    const number = el.shadowRoot!.querySelector('#code-sent bdi')!;
    expect(number.getAttribute('dir')).to.equal('ltr');
    expect(number.textContent).to.equal('+44 7400 123456');
    expect(getComputedStyle(number).whiteSpace).to.equal('nowrap');
  });

  it('Arabic: every text of the code step uses one digit system (countdowns, attempts left, hints)', async () => {
    const client = new ScriptedClient()
      .answer('startVerification', started(new Date(), 57))
      .answer('checkVerification', {
        error: apiError('incorrect_code', { status: 422, details: { attempts_left: 4 } }),
      });
    const el = await mount(client, 'ar');
    await typeAndEnter(el, 'phone-input', '07400123456');
    await until(() => el.step === 'code', 'code step');
    await el.updateComplete;
    await typeAndEnter(el, 'code-input', '000000');
    await until(() => queryByRole(el, 'alert'), 'alert');
    byPart<HTMLDetailsElement>(el, 'help')!.open = true;
    await el.updateComplete;
    const text = textOf(byPart(el, 'base'));
    expect(/[0-9]/.test(text), text).to.equal(true);
    expect(/[\u0660-\u0669\u06f0-\u06f9]/.test(text), text).to.equal(false);
  });

  it('looks: at phone width "Send a new code" and "Change mobile number" are 44 px tall and each on one line', async () => {
    const el = await reachCodeStep(new ScriptedClient());
    el.style.width = '358px';
    byPart<HTMLDetailsElement>(el, 'help')!.open = true;
    await el.updateComplete;
    for (const name of ['resend-button', 'change-number-button']) {
      const box = byPart(el, name)!.getBoundingClientRect();
      expect(Math.round(box.height), name).to.equal(44);
    }
  });
});
