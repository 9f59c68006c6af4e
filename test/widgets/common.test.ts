import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/define.js';
import {
  AddToWallet,
  CredentialStatusElement,
  FetchKeywayClient,
  InviteRedeem,
  type InviteRedeemedDetail,
  KeywayApiError,
  KeywayProvider,
  passNavigator,
  SmsOtpVerify,
  type TokenExpiredDetail,
} from '../../src/index.js';
import { defineElement } from '../../src/internal/registry.js';
import { serverClock } from '../../src/internal/server-clock.js';
import { getByRole, spyEvents, until } from './helpers/dom.js';
import { ScriptedClient } from './helpers/scripted-client.js';

// A redeemed code is remembered in this tab's sessionStorage (issue 29): every test starts with none.
beforeEach(() => sessionStorage.clear());

describe('registration', () => {
  it('define registers the five tags, and importing it again does not throw', async () => {
    expect(customElements.get('invite-redeem')).to.equal(InviteRedeem);
    expect(customElements.get('sms-otp-verify')).to.equal(SmsOtpVerify);
    expect(customElements.get('add-to-wallet')).to.equal(AddToWallet);
    expect(customElements.get('credential-status')).to.equal(CredentialStatusElement);
    expect(customElements.get('keyway-provider')).to.equal(KeywayProvider);
    // A second copy of the module (another URL) must find the tags taken and skip them.
    await import(/* @vite-ignore */ `../../src/define.ts?again=${Date.now()}`);
  });

  it('a tag another version or library holds is left to it, with one console warning per tag', async () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => warnings.push(args.join(' '));
    try {
      // Another copy of this version (the CDN file beside a bundle) is skipped quietly.
      defineElement('invite-redeem', class extends InviteRedeem {});
      await import(/* @vite-ignore */ `../../src/define/invite-redeem.ts?copy=${Date.now()}`);
      expect(warnings).to.deep.equal([]);

      // Another library holds a tag.
      class Foreign extends HTMLElement {}
      customElements.define('held-by-other', Foreign);
      defineElement('held-by-other', class extends InviteRedeem {});
      defineElement('held-by-other', class extends InviteRedeem {});
      expect(customElements.get('held-by-other')).to.equal(Foreign);
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.contain('<held-by-other>').and.to.contain('another definition');

      // An older Keyway holds a tag (it recorded its version in the page-wide registry).
      class OldKeyway extends HTMLElement {}
      customElements.define('held-by-old-keyway', OldKeyway);
      const versions = (globalThis as Record<symbol, Map<string, string>>)[Symbol.for('keyway.elements.versions')]!;
      versions.set('held-by-old-keyway', '0.0.9');
      defineElement('held-by-old-keyway', class extends InviteRedeem {});
      expect(customElements.get('held-by-old-keyway')).to.equal(OldKeyway);
      expect(warnings).to.have.length(2);
      expect(warnings[1]).to.contain('<held-by-old-keyway>').and.to.contain('Keyway 0.0.9');
    } finally {
      console.warn = warn;
    }
  });

  it('classes can be registered under other tag names, with open shadow roots', async () => {
    customElements.define('partner-invite', class extends InviteRedeem {});
    const el = await fixture<InviteRedeem>(html`<partner-invite></partner-invite>`);
    expect(el.shadowRoot).to.exist;
    getByRole(el, 'textbox', 'Invitation code');
  });
});

describe('<keyway-provider>', () => {
  it('supplies configuration and client; elements own attributes win', async () => {
    const client = new ScriptedClient().always('redeemInvitation', {
      data: {
        provisioning_token: 'ps_new',
        expires_at: '2030-01-01T00:00:00Z',
        credential: { id: 'cred_p', status: 'provisioning', credential_type_id: 9 },
        person: { first_name: '' },
        wallets: ['apple', 'google'],
      },
    });
    const provider =
      await fixture<KeywayProvider>(html`<keyway-provider api-base="https://keys.example" publishable-key="pk_provider_key_0000" locale="de" .client=${client}>
      <invite-redeem code="7KX-9QM-2HR-4TD"></invite-redeem>
      <invite-redeem code="7KX-9QM-2HR-4TD" api-base="https://other.example"></invite-redeem>
    </keyway-provider>`);
    const [first, second] = [...provider.querySelectorAll('invite-redeem')];
    await first.updateComplete;
    getByRole(first, 'button', 'Code einlösen').click();
    getByRole(second, 'button', 'Code einlösen').click();
    await until(() => client.callsOf('redeemInvitation').length === 2, 'two redeems');
    const [a, b] = client.callsOf('redeemInvitation');
    expect(a.ctx).to.include({ apiBase: 'https://keys.example', publishableKey: 'pk_provider_key_0000' });
    expect(b.ctx.apiBase).to.equal('https://other.example');
  });

  it('adopts the redeemed session so a following add-to-wallet uses it', async () => {
    const navigated: string[] = [];
    const original = passNavigator.assign;
    passNavigator.assign = (url) => void navigated.push(url);
    try {
      const client = new ScriptedClient()
        .answer('redeemInvitation', {
          data: {
            provisioning_token: 'ps_adopted',
            expires_at: '2030-01-01T00:00:00Z',
            credential: { id: 'cred_a', status: 'provisioning', credential_type_id: 9 },
            person: { first_name: '' },
            wallets: ['apple', 'google'],
          },
        })
        .answer('requestPass', { data: { url: 'https://keys.example/a.pkpass', device_id: 'dev_a' } });
      const provider =
        await fixture<KeywayProvider>(html`<keyway-provider publishable-key="pk_provider_key_0000" .client=${client}>
        <invite-redeem></invite-redeem>
        <add-to-wallet platform="ios"></add-to-wallet>
      </keyway-provider>`);
      const redeemed = spyEvents<InviteRedeemedDetail>(document, 'invite-redeemed');
      const redeem = provider.querySelector('invite-redeem')!;
      getByRole(redeem, 'textbox', 'Invitation code').focus();
      await sendKeys({ type: '7KX9QM2HR4TD' });
      await sendKeys({ press: 'Enter' });
      await until(() => redeemed.count === 1, 'redeemed');
      const wallet = provider.querySelector('add-to-wallet')!;
      await wallet.updateComplete;
      getByRole(wallet, 'button', 'Add to Apple Wallet').focus();
      await sendKeys({ press: 'Enter' });
      await until(() => navigated.length === 1, 'navigated');
      const call = client.callsOf('requestPass')[0];
      expect(call.ctx.token).to.equal('ps_adopted');
      expect(call.args[0]).to.deep.equal({ platform: 'apple', credentialId: 'cred_a' });
    } finally {
      passNavigator.assign = original;
    }
  });
});

describe('token-expired', () => {
  it('fires 60 s before the token lapses, bubbling and composed', async () => {
    const expiresAt = new Date(Date.now() + 60_400).toISOString();
    const heard = spyEvents<TokenExpiredDetail>(document, 'token-expired');
    await fixture(
      html`<credential-status token="cs_short" token-expires-at=${expiresAt} .client=${new ScriptedClient()}></credential-status>`,
    );
    expect(heard.count).to.equal(0);
    await until(() => heard.count === 1, 'token-expired', 2000);
    expect(heard.details[0]).to.deep.equal({ expiresAt });
    expect(heard.events[0].composed).to.equal(true);
  });

  it('accepts a new token and re-arms', async () => {
    const heard = spyEvents<TokenExpiredDetail>(document, 'token-expired');
    const el = await fixture<CredentialStatusElement>(
      html`<credential-status token="cs_a" token-expires-at=${new Date(Date.now() + 60_100).toISOString()} .client=${new ScriptedClient()}></credential-status>`,
    );
    await until(() => heard.count === 1, 'first');
    el.token = 'cs_b';
    el.tokenExpiresAt = new Date(Date.now() + 60_100).toISOString();
    await until(() => heard.count === 2, 'second');
  });

  it('counts by the server clock: a phone two minutes slow is still warned in time', async () => {
    // An answer whose Date header is two minutes ahead of this (slow) phone.
    const serverNow = Date.now() + 120_000;
    const fetchImpl = (async () =>
      new Response('{}', {
        status: 200,
        headers: { 'content-type': 'application/json', date: new Date(serverNow).toUTCString() },
      })) as unknown as typeof fetch;
    await new FetchKeywayClient(fetchImpl).getCredentialStatus(
      { apiBase: 'https://keys.example', token: 'cs_x' },
      'cred_1',
    );
    try {
      expect(Math.round(serverClock.offset / 1000)).to.be.within(119, 121);
      // 61 s left by the server's clock, so the warning is due in about a second, not in three minutes.
      const expiresAt = new Date(serverNow + 61_000).toISOString();
      const heard = spyEvents<TokenExpiredDetail>(document, 'token-expired');
      await fixture(
        html`<credential-status token="cs_skew" token-expires-at=${expiresAt} .client=${new ScriptedClient()}></credential-status>`,
      );
      await until(() => heard.count === 1, 'token-expired by the server clock', 4000);
      expect(heard.details[0]).to.deep.equal({ expiresAt });
    } finally {
      serverClock.offset = 0;
    }
  });

  it('an element moved in the page keeps its warning', async () => {
    const heard = spyEvents<TokenExpiredDetail>(document, 'token-expired');
    const el = await fixture<CredentialStatusElement>(
      html`<credential-status token="cs_moved" token-expires-at=${new Date(Date.now() + 60_800).toISOString()} .client=${new ScriptedClient()}></credential-status>`,
    );
    const elsewhere = document.createElement('section');
    document.body.append(elsewhere);
    elsewhere.append(el); // disconnect + connect, no property change
    try {
      await until(() => heard.count === 1, 'token-expired after the move', 3000);
    } finally {
      elsewhere.remove();
    }
  });
});

describe('FetchKeywayClient', () => {
  function recorder(status: number, body: unknown, headers: Record<string, string> = {}) {
    const calls: { url: string; init: RequestInit }[] = [];
    const fetchImpl = (async (url: string, init: RequestInit) => {
      calls.push({ url, init });
      return new Response(body === undefined ? null : JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json', ...headers },
      });
    }) as unknown as typeof fetch;
    return { calls, client: new FetchKeywayClient(fetchImpl) };
  }

  it('calls the SPEC endpoints with the right key and body', async () => {
    const ctx = { apiBase: 'https://keys.example/', publishableKey: 'pk_live_aaaaaaaaaaaaaaaa', token: 'ps_tok' };
    const { calls, client } = recorder(200, {});
    await client.redeemInvitation(ctx, '7KX-9QM-2HR-4TD');
    await client.startVerification(ctx, { phoneNumber: '+447400123456', country: 'GB' });
    await client.checkVerification(ctx, 'ver 1', '123456');
    await client.resendVerification(ctx, 'ver1');
    await client.requestPass(ctx, { platform: 'google', credentialId: 'cred_1' });
    await client.createHandoff(ctx);
    await client.getCredentialStatus(ctx, 'cred_1');
    const seen = calls.map((c) => [
      c.init.method,
      c.url,
      (c.init.headers as Record<string, string>).authorization,
      c.init.body ?? null,
    ]);
    expect(seen).to.deep.equal([
      [
        'POST',
        'https://keys.example/api/3/invitations/redeem',
        'Bearer pk_live_aaaaaaaaaaaaaaaa',
        '{"invitation_code":"7KX-9QM-2HR-4TD"}',
      ],
      [
        'POST',
        'https://keys.example/api/3/verifications',
        'Bearer pk_live_aaaaaaaaaaaaaaaa',
        '{"phone_number":"+447400123456","country":"GB"}',
      ],
      [
        'POST',
        'https://keys.example/api/3/verifications/ver%201/check',
        'Bearer pk_live_aaaaaaaaaaaaaaaa',
        '{"code":"123456"}',
      ],
      ['POST', 'https://keys.example/api/3/verifications/ver1/resend', 'Bearer pk_live_aaaaaaaaaaaaaaaa', '{}'],
      ['POST', 'https://keys.example/api/3/passes', 'Bearer ps_tok', '{"platform":"google","credential_id":"cred_1"}'],
      ['POST', 'https://keys.example/api/3/handoffs', 'Bearer ps_tok', '{}'],
      ['GET', 'https://keys.example/api/3/credentials/cred_1/status', 'Bearer ps_tok', null],
    ]);
  });

  it('maps an error body, Retry-After and the Date header into a KeywayApiError', async () => {
    const date = 'Wed, 01 Jan 2031 10:00:00 GMT';
    const { client } = recorder(
      429,
      { error: { code: 'too_many_attempts', message: 'Slow down', details: { attempts_left: 0 } } },
      { 'retry-after': '42', date },
    );
    const failure = await client.checkVerification({ apiBase: 'https://keys.example' }, 'v', '1').catch((e) => e);
    expect(failure).to.be.instanceOf(KeywayApiError);
    expect(failure).to.include({ code: 'too_many_attempts', status: 429, retryAfter: 42, message: 'Slow down' });
    expect(failure.attemptsLeft).to.equal(0);
    expect(failure.serverDate.toISOString()).to.equal('2031-01-01T10:00:00.000Z');
  });

  it('exposes the Date header of a success', async () => {
    const { client } = recorder(
      202,
      { verification_id: 'v', expires_at: 'x', resend_after: 'y' },
      { date: 'Wed, 01 Jan 2031 10:00:00 GMT' },
    );
    const { data, serverDate } = await client.startVerification(
      { apiBase: 'https://keys.example' },
      { phoneNumber: '+447400123456' },
    );
    expect(data.verification_id).to.equal('v');
    expect(serverDate!.getTime()).to.equal(Date.parse('2031-01-01T10:00:00Z'));
  });

  it('a failed fetch becomes network_error; a 5xx without body becomes server_error', async () => {
    const broken = new FetchKeywayClient((async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch);
    expect((await broken.createHandoff({ apiBase: 'https://keys.example' }).catch((e) => e)).code).to.equal(
      'network_error',
    );
    const { client } = recorder(503, undefined);
    expect((await client.createHandoff({ apiBase: 'https://keys.example' }).catch((e) => e)).code).to.equal(
      'server_error',
    );
  });
});

describe('live status through fetch (docs/api.md: no token in a URL)', () => {
  /** A fetch that answers the stream with two events in odd chunk boundaries and records every request. */
  function streamingFetch() {
    const requests: { url: string; headers: Record<string, string> }[] = [];
    const fetchImpl = (async (url: string, init: RequestInit) => {
      requests.push({ url, headers: init.headers as Record<string, string> });
      const chunks = [
        'retry: 3000\n\n: heartbeat\n\nid: 7\nevent: status\ndata: {"credential_id":"cred_1","old_status":null,',
        '"new_status":"provisioning","enabled":true,"devices":[],"updated_at":"2030-01-01T00:00:00Z"}\r\n\r\n',
        'id: 8\nevent: status\ndata: {"credential_id":"cred_1","old_status":"provisioning","new_status":"active","enabled":true,"devices":[],"updated_at":"2030-01-01T00:01:00Z"}\n\n',
      ];
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
          controller.close();
        },
      });
      return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    }) as unknown as typeof fetch;
    return { requests, fetchImpl };
  }

  it('reads the stream with the token in the Authorization header and parses each status event', async () => {
    const { requests, fetchImpl } = streamingFetch();
    const seen: [string, string | null][] = [];
    let ended: { fatal: boolean } | undefined;
    new FetchKeywayClient(fetchImpl).openStatusStream(
      { apiBase: 'https://keys.example', token: 'ps_secret_token' },
      'cred_1',
      {
        onStatus: (event, id) => seen.push([event.new_status, id]),
        onError: (_e, fatal) => (ended = { fatal }),
      },
    );
    await until(() => ended, 'the stream ended');
    expect(seen).to.deep.equal([
      ['provisioning', '7'],
      ['active', '8'],
    ]);
    expect(requests.map((r) => r.url)).to.deep.equal(['https://keys.example/api/3/credentials/cred_1/status/stream']);
    expect(requests[0].headers.authorization).to.equal('Bearer ps_secret_token');
    expect(ended!.fatal, 'the controller reconnects with its own backoff').to.equal(true);
  });

  it('<credential-status> on the default client never puts a token in a URL, and EventSource is not used', async () => {
    const { requests, fetchImpl } = streamingFetch();
    const originalFetch = window.fetch;
    const OriginalEventSource = window.EventSource;
    const eventSourceUrls: string[] = [];
    window.fetch = fetchImpl;
    window.EventSource = class extends OriginalEventSource {
      constructor(url: string | URL, init?: EventSourceInit) {
        eventSourceUrls.push(String(url));
        super(url, init);
      }
    };
    try {
      const el = await fixture<CredentialStatusElement>(
        html`<credential-status api-base="https://keys.example" token="ps_abc123_secretsecret" credential-id="cred_1"></credential-status>`,
      );
      await until(() => el.status === 'active', 'status from the stream');
      el.remove();
    } finally {
      window.fetch = originalFetch;
      window.EventSource = OriginalEventSource;
    }
    expect(eventSourceUrls).to.deep.equal([]);
    expect(requests.length).to.be.greaterThan(0);
    expect(requests.filter((r) => /token=/.test(r.url)).map((r) => r.url)).to.deep.equal([]);
  });
});

describe('misconfigured api-base (docs/elements.md)', () => {
  /** Records console.warn and every fetch while `run` runs. */
  async function watching(run: () => Promise<void>) {
    const warnings: string[] = [];
    const urls: string[] = [];
    const originalWarn = console.warn;
    const originalFetch = window.fetch;
    console.warn = (...args: unknown[]) => warnings.push(args.join(' '));
    window.fetch = (async (input: RequestInfo | URL) => {
      urls.push(String(input));
      return new Response('{}', { status: 200 });
    }) as typeof fetch;
    try {
      await run();
    } finally {
      console.warn = originalWarn;
      window.fetch = originalFetch;
    }
    return { warnings, urls };
  }

  it('a misspelt api-base: no request, keyway-error {code:"misconfigured"}, one warning naming api-base', async () => {
    const errors = spyEvents<{ code: string }>(document, 'keyway-error');
    const { warnings, urls } = await watching(async () => {
      const el = await fixture<InviteRedeem>(
        html`<invite-redeem api_base="https://keys.example" publishable-key="pk_test_abcdefghijklmnop" lang="en"></invite-redeem>`,
      );
      const field = getByRole<HTMLInputElement>(el, 'textbox', 'Invitation code');
      for (let i = 0; i < 2; i++) {
        field.focus();
        await sendKeys({ type: '7KX9QM2HR4TD' });
        await sendKeys({ press: 'Enter' });
        await until(() => errors.count === i + 1, 'keyway-error');
        field.value = '';
      }
      getByRole(el, 'alert');
    });
    expect(urls).to.deep.equal([]);
    expect(errors.details.map((d) => d.code)).to.deep.equal(['misconfigured', 'misconfigured']);
    expect(
      warnings.filter((w) => w.includes('api-base')),
      warnings.join('\n'),
    ).to.have.length(1);
  });

  it('a relative api-base is not usable either: <credential-status> makes no request and says so once', async () => {
    const errors = spyEvents<{ code: string }>(document, 'keyway-error');
    const { warnings, urls } = await watching(async () => {
      const el = await fixture<CredentialStatusElement>(
        html`<credential-status api-base="keys.example" token="ps_abc_def" credential-id="cred_1" lang="en"></credential-status>`,
      );
      await until(() => errors.count === 1, 'keyway-error');
      await new Promise((r) => setTimeout(r, 300));
      el.remove();
    });
    expect(urls).to.deep.equal([]);
    expect(errors.details.map((d) => d.code)).to.deep.equal(['misconfigured']);
    expect(
      warnings.filter((w) => w.includes('api-base')),
      warnings.join('\n'),
    ).to.have.length(1);
  });
});

describe('partner CSP', () => {
  async function runCspPage(query = ''): Promise<{ violations: string[]; qrRendered: boolean }> {
    const frame = document.createElement('iframe');
    const result = new Promise<{ violations: string[]; qrRendered: boolean }>((resolve) => {
      window.addEventListener('message', function onMessage(e) {
        if (e.source === frame.contentWindow && e.data?.keywayCsp) {
          window.removeEventListener('message', onMessage);
          resolve(e.data);
        }
      });
    });
    frame.src = `/test/widgets/fixtures/csp.html${query}`;
    frame.title = 'CSP page';
    document.body.append(frame);
    try {
      return await result;
    } finally {
      frame.remove();
    }
  }

  it('every element in use under the partner CSP causes no violation', async () => {
    const { violations, qrRendered } = await runCspPage();
    expect(violations).to.deep.equal([]);
    expect(qrRendered, 'the QR image rendered as a data: URL').to.equal(true);
  });

  it('the check itself sees a violation when there is one', async () => {
    const { violations } = await runCspPage('?control=1');
    expect(violations.some((v) => v.startsWith('style-src'))).to.equal(true);
  });
});
