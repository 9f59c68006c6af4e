import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/define.js';
import {
  type AddToWallet,
  type DeviceState,
  detectPlatform,
  type KeywayErrorDetail,
  type PassAddedDetail,
  type PassRequestedDetail,
  passNavigator,
} from '../../src/index.js';
import { byPart, getByRole, queryByRole, spyEvents, textOf, until } from './helpers/dom.js';
import { apiError, deferred, ScriptedClient } from './helpers/scripted-client.js';

/** When a fixture's phone was added (the wire always carries it). */
const ADDED_AT = '2026-01-01T00:00:00.000Z';

const UA = {
  iphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  ipad: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  android:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36',
  windows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
  instagram:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 330.0.0',
  facebookAndroid:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/460.0.0;]',
  whatsapp: 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36 WhatsApp/2.24',
  gmail: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Gmail/6.0',
};

const originalAssign = passNavigator.assign;
let navigations: string[] = [];

function mount(client: ScriptedClient, platform: string | undefined, extra: { lang?: string; ua?: string } = {}) {
  return fixture<AddToWallet>(html`<add-to-wallet
    token="ps_test_session"
    credential-id="cred_9"
    platform=${platform ?? ''}
    lang=${extra.lang ?? 'en'}
    .userAgent=${extra.ua}
    .client=${client}
  ></add-to-wallet>`);
}

function buttonNames(el: AddToWallet): string[] {
  return [...el.shadowRoot!.querySelectorAll('[part="buttons"] button')].map(
    (b) => (b as HTMLElement & { computedName: string }).computedName,
  );
}

describe('platform detection', () => {
  it('reads the user agent; iPadOS is Macintosh with touch points', () => {
    expect(detectPlatform(UA.iphone).platform).to.equal('ios');
    expect(detectPlatform(UA.ipad, 5).platform).to.equal('ios');
    expect(detectPlatform(UA.ipad, 0).platform).to.equal('desktop');
    expect(detectPlatform(UA.android).platform).to.equal('android');
    expect(detectPlatform(UA.windows).platform).to.equal('desktop');
  });

  it('recognises in-app browsers', () => {
    expect(detectPlatform(UA.instagram).inApp).to.equal('instagram');
    expect(detectPlatform(UA.facebookAndroid).inApp).to.equal('facebook');
    expect(detectPlatform(UA.whatsapp).inApp).to.equal('whatsapp');
    expect(detectPlatform(UA.gmail).inApp).to.equal('gmail');
    expect(detectPlatform(UA.iphone).inApp).to.equal(null);
  });
});

describe('<add-to-wallet>', () => {
  beforeEach(() => {
    navigations = [];
    passNavigator.assign = (url: string) => void navigations.push(url);
  });
  afterEach(() => {
    passNavigator.assign = originalAssign;
  });

  it('iOS: only Apple Wallet (Google Wallet does not run on iPhone), its part, accessible', async () => {
    const el = await mount(new ScriptedClient(), 'ios');
    expect(buttonNames(el)).to.deep.equal(['Add to Apple Wallet']);
    expect(getByRole(el, 'button', 'Add to Apple Wallet').getAttribute('part')).to.equal('apple-button');
    expect(byPart(el, 'handoff')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('desktop: both buttons with their parts', async () => {
    const el = await mount(new ScriptedClient(), 'desktop');
    expect(buttonNames(el)).to.deep.equal(['Add to Apple Wallet', 'Add to Google Wallet']);
    expect(getByRole(el, 'button', 'Add to Google Wallet').getAttribute('part')).to.equal('google-button');
  });

  it('Android: Google first; detection from the user agent when no platform is set', async () => {
    const el = await mount(new ScriptedClient(), undefined, { ua: UA.android });
    expect(buttonNames(el)).to.deep.equal(['Add to Google Wallet', 'Add to Apple Wallet']);
  });

  it('one press = one POST /passes, then same-tab navigation; pass-requested fires', async () => {
    const hold = deferred<{ data: { url: string; device_id: string } }>();
    const client = new ScriptedClient().answer('requestPass', { wait: hold.promise });
    const el = await mount(client, 'ios');
    const requested = spyEvents<PassRequestedDetail>(el, 'pass-requested');
    const apple = getByRole(el, 'button', 'Add to Apple Wallet');
    apple.focus();
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(textOf(getByRole(el, 'status'))).to.contain('Preparing your pass');
    await expect(el).to.be.accessible();
    await sendKeys({ press: 'Enter' });
    apple.click();
    hold.resolve({ data: { url: 'https://keys.example/passes/abc.pkpass', device_id: 'dev_1' } });
    await until(() => navigations.length === 1, 'navigation');
    expect(client.callsOf('requestPass')).to.have.length(1);
    expect(client.callsOf('requestPass')[0].args[0]).to.deep.equal({ platform: 'apple', credentialId: 'cred_9' });
    expect(client.callsOf('requestPass')[0].ctx.token).to.equal('ps_test_session');
    expect(navigations).to.deep.equal(['https://keys.example/passes/abc.pkpass']);
    expect(requested.details).to.deep.equal([{ platform: 'apple' }]);
  });

  it('pass-added fires when the requested device turns active, not for other devices', async () => {
    const client = new ScriptedClient().answer('requestPass', {
      data: { url: 'https://pay.google.com/gp/v/save/x', device_id: 'dev_2' },
    });
    const el = await mount(client, 'android');
    const added = spyEvents<PassAddedDetail>(document, 'pass-added');
    getByRole(el, 'button', 'Add to Google Wallet').click();
    await until(() => client.streams.length === 1, 'status watched');
    const stream = client.streams[0];
    expect(stream.credentialId).to.equal('cred_9');
    expect(stream.ctx.token).to.equal('ps_test_session');
    stream.open();
    const base = {
      credential_id: 'cred_9',
      old_status: null,
      new_status: 'provisioning' as const,
      enabled: true,
      updated_at: new Date().toISOString(),
    };
    stream.push({
      ...base,
      devices: [
        { id: 'dev_other', platform: 'apple', status: 'active', added_at: ADDED_AT },
        { id: 'dev_2', platform: 'google', status: 'pending', added_at: ADDED_AT },
      ],
    });
    await el.updateComplete;
    expect(added.count).to.equal(0);
    expect(getByRole(el, 'button', 'Try again')).to.exist;
    stream.push({
      ...base,
      new_status: 'active',
      devices: [{ id: 'dev_2', platform: 'google', status: 'active', added_at: ADDED_AT }],
    });
    await until(() => added.count === 1, 'pass-added');
    expect(added.details[0]).to.deep.equal({ platform: 'google', credentialId: 'cred_9', deviceId: 'dev_2' });
    await el.updateComplete;
    expect(textOf(byPart(el, 'success'))).to.equal('Your pass is in Google Wallet.');
    await expect(el).to.be.accessible();
  });

  it('"Try again" after opening requests a fresh pass', async () => {
    const client = new ScriptedClient().always('requestPass', {
      data: { url: 'https://keys.example/p.pkpass', device_id: 'dev_x' },
    });
    const el = await mount(client, 'ios');
    getByRole(el, 'button', 'Add to Apple Wallet').click();
    await until(() => queryByRole(el, 'button', 'Try again'), 'try again');
    getByRole(el, 'button', 'Try again').click();
    await until(() => navigations.length === 2, 'second navigation');
    expect(client.callsOf('requestPass')).to.have.length(2);
  });

  const passErrors: [string, number, RegExp][] = [
    ['credential_disabled', 403, /disabled by your administrator/],
    ['not_found', 404, /could not find this pass/],
    ['rate_limited', 429, /Try again in 20 seconds/],
  ];
  for (const [code, status, words] of passErrors) {
    it(`error ${code} is shown and reported`, async () => {
      const client = new ScriptedClient().answer('requestPass', {
        error: apiError(code, { status, retryAfter: code === 'rate_limited' ? 20 : undefined }),
      });
      const el = await mount(client, 'ios');
      const errors = spyEvents<KeywayErrorDetail>(el, 'keyway-error');
      getByRole(el, 'button', 'Add to Apple Wallet').click();
      await until(() => queryByRole(el, 'alert'), 'alert');
      expect(textOf(getByRole(el, 'alert'))).to.match(words);
      expect(errors.details[0].code).to.equal(code);
      expect(navigations).to.have.length(0);
      await expect(el).to.be.accessible();
    });
  }

  it('an expired session fires token-expired', async () => {
    const client = new ScriptedClient().answer('requestPass', { error: apiError('unauthorized', { status: 401 }) });
    const el = await mount(client, 'ios');
    const expired = spyEvents(el, 'token-expired');
    getByRole(el, 'button', 'Add to Apple Wallet').click();
    await until(() => expired.count === 1, 'token-expired');
  });

  it('network failure offers Try again, which requests again', async () => {
    const client = new ScriptedClient()
      .answer('requestPass', { error: apiError('network_error') })
      .answer('requestPass', { data: { url: 'https://keys.example/p.pkpass', device_id: 'dev_3' } });
    const el = await mount(client, 'ios');
    getByRole(el, 'button', 'Add to Apple Wallet').click();
    await until(() => queryByRole(el, 'button', 'Try again'), 'retry');
    getByRole(el, 'button', 'Try again').click();
    await until(() => navigations.length === 1, 'navigation after retry');
    expect(client.callsOf('requestPass')[1].args[0]).to.deep.equal({ platform: 'apple', credentialId: 'cred_9' });
  });

  it('desktop: both buttons and, without a press, a QR of a hand-off link with copy', async () => {
    const client = new ScriptedClient().answer('createHandoff', {
      data: {
        url: 'https://keys.example/p#h=handoff_token_1',
        expires_at: new Date(Date.now() + 300_000).toISOString(),
      },
    });
    const el = await mount(client, 'desktop');
    expect(buttonNames(el)).to.have.length(2);
    await until(() => byPart(el, 'qr')?.querySelector('img'), 'QR image');
    expect(client.callsOf('createHandoff')).to.have.length(1);
    expect(client.callsOf('requestPass')).to.have.length(0);
    const img = byPart(el, 'qr')!.querySelector('img')!;
    expect(img.src.startsWith('data:image/svg+xml')).to.equal(true);
    expect(decodeURIComponent(img.src)).to.contain('<svg');
    const link = getByRole<HTMLAnchorElement>(el, 'link', 'https://keys.example/p#h=handoff_token_1');
    expect(link.getAttribute('part')).to.equal('handoff-link');
    getByRole(el, 'button', 'Copy link');
    await expect(el).to.be.accessible();
  });

  it('on a Windows PC "Add to Apple Wallet" says Apple Wallet is on iPhone and points at the QR; no file', async () => {
    const client = new ScriptedClient().answer('createHandoff', {
      data: {
        url: 'https://keys.example/p#h=handoff_token_2',
        expires_at: new Date(Date.now() + 300_000).toISOString(),
      },
    });
    const el = await mount(client, undefined, { ua: UA.windows });
    await until(() => byPart(el, 'qr')?.querySelector('img'), 'QR image');
    const requested = spyEvents<PassRequestedDetail>(el, 'pass-requested');
    getByRole(el, 'button', 'Add to Apple Wallet').click();
    await until(() => byPart(el, 'apple-elsewhere'), 'explanation');
    expect(textOf(byPart(el, 'apple-elsewhere'))).to.contain('Apple Wallet is on iPhone');
    expect(el.shadowRoot!.activeElement).to.equal(byPart(el, 'apple-elsewhere'));
    expect(client.callsOf('requestPass')).to.have.length(0);
    expect(requested.count).to.equal(0);
    expect(navigations).to.deep.equal([]);
    await expect(el).to.be.accessible();
  });

  it('desktop: the hand-off failing is reported and can be retried', async () => {
    const client = new ScriptedClient()
      .answer('createHandoff', { error: apiError('network_error') })
      .answer('createHandoff', {
        data: { url: 'https://keys.example/p#h=t2', expires_at: new Date(Date.now() + 300_000).toISOString() },
      });
    const el = await mount(client, 'desktop');
    await until(() => queryByRole(el, 'button', 'Try again'), 'retry');
    getByRole(el, 'button', 'Try again').click();
    await until(() => byPart(el, 'handoff-link'), 'link');
  });

  it('in-app browser: "Open in Safari" guidance and a link to carry over', async () => {
    const client = new ScriptedClient().answer('createHandoff', {
      data: { url: 'https://keys.example/p#h=h3', expires_at: new Date(Date.now() + 300_000).toISOString() },
    });
    const el = await mount(client, undefined, { ua: UA.instagram });
    expect(textOf(byPart(el, 'in-app-guidance'))).to.contain('open this page in Safari');
    await until(() => byPart(el, 'handoff-link'), 'hand-off link');
    expect(byPart(el, 'qr')).to.equal(null);
    await expect(el).to.be.accessible();
    const android = await mount(
      new ScriptedClient().always('createHandoff', { error: apiError('network_error') }),
      undefined,
      { ua: UA.whatsapp },
    );
    expect(textOf(byPart(android, 'in-app-guidance'))).to.contain('open this page in Chrome');
  });

  it('official badge artwork goes in the slot; the button keeps its name', async () => {
    const el =
      await fixture<AddToWallet>(html`<add-to-wallet platform="ios" token="ps_x" .client=${new ScriptedClient()}>
      <img slot="apple-badge" alt="Add to Apple Wallet" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" />
    </add-to-wallet>`);
    const button = getByRole(el, 'button', 'Add to Apple Wallet');
    const slot = button.querySelector('slot[name="apple-badge"]') as HTMLSlotElement;
    expect(slot.assignedElements()).to.have.length(1);
    await expect(el).to.be.accessible();
  });

  it('German names the buttons in German', async () => {
    const el = await mount(new ScriptedClient(), 'desktop', { lang: 'de' });
    expect(buttonNames(el)).to.deep.equal(['Zu Apple Wallet hinzufügen', 'Zu Google Wallet hinzufügen']);
  });

  /** The focused element, followed through shadow roots. */
  function deepActiveElement(): Element | null {
    let active: Element | null = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    return active;
  }

  const snapshot = (
    status: 'provisioning' | 'active' | 'suspended' | 'revoking' | 'revoked',
    devices: Omit<DeviceState, 'added_at'>[] = [],
  ) => ({
    credential_id: 'cred_9',
    old_status: null,
    new_status: status,
    enabled: true,
    devices: devices.map((d) => ({ ...d, added_at: ADDED_AT })),
    updated_at: new Date().toISOString(),
  });

  it('focus stays inside the element when the pass is added: it moves to the status text, not <body>', async () => {
    const client = new ScriptedClient().answer('requestPass', {
      data: { url: 'https://keys.example/p.pkpass', device_id: 'dev_f' },
    });
    const el = await mount(client, 'ios');
    getByRole(el, 'button', 'Add to Apple Wallet').focus();
    await sendKeys({ press: 'Enter' });
    await until(() => navigations.length === 1 && client.streams.length > 0, 'navigation, status watched');
    getByRole(el, 'button', 'Add to Apple Wallet').focus();
    client.streams.at(-1)!.push(snapshot('active', [{ id: 'dev_f', platform: 'apple', status: 'active' }]));
    await until(() => byPart(el, 'success'), 'added');
    await el.updateComplete;
    expect(document.activeElement?.localName, 'not the body').to.equal('add-to-wallet');
    expect(deepActiveElement()?.getAttribute('part')).to.equal('success');
    // The next Tab goes on from there, to what follows the element on the page.
    const next = document.createElement('button');
    next.textContent = 'Next on the page';
    el.after(next);
    await sendKeys({ press: 'Tab' });
    expect(document.activeElement === next, 'Tab reaches what follows').to.equal(true);
    next.remove();
  });

  it('follows the credential: after a revoke it no longer says the pass is in the wallet, and offers no button', async () => {
    const client = new ScriptedClient().answer('requestPass', {
      data: { url: 'https://pay.google.com/gp/v/save/x', device_id: 'dev_r' },
    });
    const el = await mount(client, 'android');
    getByRole(el, 'button', 'Add to Google Wallet').click();
    await until(() => navigations.length === 1, 'navigation');
    const stream = client.streams[0];
    stream.push(snapshot('active', [{ id: 'dev_r', platform: 'google', status: 'active' }]));
    await until(() => byPart(el, 'success'), 'added');
    stream.push(snapshot('revoking', [{ id: 'dev_r', platform: 'google', status: 'active' }]));
    await until(() => byPart(el, 'unavailable'), 'unavailable');
    const text = textOf(byPart(el, 'base'));
    expect(text).to.not.contain('is in Google Wallet');
    expect(text).to.contain('has been removed');
    expect(buttonNames(el)).to.deep.equal([]);
    await expect(el).to.be.accessible();
  });

  it('a suspended credential is not offered for adding, before any press', async () => {
    const client = new ScriptedClient();
    const el = await mount(client, 'ios');
    await until(() => client.streams.length === 1, 'status watched');
    client.streams[0].push(snapshot('suspended'));
    await until(() => byPart(el, 'unavailable'), 'unavailable');
    expect(textOf(byPart(el, 'unavailable'))).to.contain('suspended');
    expect(buttonNames(el)).to.deep.equal([]);
  });

  it('a credential turned off while being set up offers no button that could only fail, and says why once', async () => {
    const client = new ScriptedClient();
    const el = await mount(client, 'android');
    await until(() => client.streams.length === 1, 'status watched');
    client.streams[0].push(snapshot('provisioning'));
    await until(() => buttonNames(el).length === 2, 'offered while enabled');
    // Only `enabled` changes: the status stays "provisioning".
    client.streams[0].push({ ...snapshot('provisioning'), enabled: false });
    await until(() => byPart(el, 'unavailable'), 'unavailable');
    expect(buttonNames(el)).to.deep.equal([]);
    expect(textOf(byPart(el, 'unavailable'))).to.contain('turned off');
    await expect(el).to.be.accessible();
  });

  it('suspended with the pass already in a wallet: it does not talk about adding it', async () => {
    const client = new ScriptedClient();
    const el = await mount(client, 'ios');
    await until(() => client.streams.length === 1, 'status watched');
    client.streams[0].push(snapshot('suspended', [{ id: 'dev_s', platform: 'apple', status: 'active' }]));
    await until(() => byPart(el, 'unavailable'), 'unavailable');
    const text = textOf(byPart(el, 'base'));
    expect(text).to.not.match(/cannot be added|added now/);
    expect(text).to.contain('paused');
    expect(buttonNames(el)).to.deep.equal([]);
  });

  it('before a token exists it shows no wallet button and makes no request', async () => {
    const client = new ScriptedClient();
    const el = await fixture<AddToWallet>(
      html`<add-to-wallet platform="ios" lang="en" .client=${client}></add-to-wallet>`,
    );
    await el.updateComplete;
    expect(buttonNames(el)).to.deep.equal([]);
    expect(client.calls.map((c) => c.method)).to.deep.equal([]);
    el.token = 'ps_later';
    await el.updateComplete;
    expect(buttonNames(el)).to.have.length(1);
  });

  it('looks: the two wallet buttons are the same width, 44 px or taller, words on one line', async () => {
    for (const width of ['358px', '448px']) {
      const el = await mount(new ScriptedClient(), 'android');
      el.style.width = width;
      await el.updateComplete;
      const [apple, google] = ['apple-button', 'google-button'].map((p) => byPart(el, p)!.getBoundingClientRect());
      expect(Math.round(apple.width), width).to.equal(Math.round(google.width));
      expect(apple.height).to.be.within(44, 52);
      expect(google.height).to.be.within(44, 52);
    }
  });
});
