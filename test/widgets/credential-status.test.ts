import { expect, fixture, html } from '@open-wc/testing';
import '../../src/define.js';
import {
  CREDENTIAL_STATUSES,
  type CredentialStatus,
  type CredentialStatusElement,
  type StatusChangedDetail,
} from '../../src/index.js';
import { byPart, getByRole, queryByRole, spyEvents, textOf, until } from './helpers/dom.js';
import { apiError, ScriptedClient } from './helpers/scripted-client.js';

const WORDS: Record<CredentialStatus, string> = {
  invited: 'Invited',
  provisioning: 'Being set up',
  active: 'Active',
  suspended: 'Suspended',
  revoking: 'Being removed',
  revoked: 'Removed',
  expired: 'Invitation expired',
};

function snapshot(status: CredentialStatus, updatedAt = new Date().toISOString(), devices: never[] = []) {
  return { data: { id: 'cred_5', status, enabled: true, devices, updated_at: updatedAt, history: [] } };
}

function event(oldStatus: CredentialStatus | null, newStatus: CredentialStatus, updatedAt = new Date().toISOString()) {
  return {
    credential_id: 'cred_5',
    old_status: oldStatus,
    new_status: newStatus,
    enabled: true,
    devices: [],
    updated_at: updatedAt,
  };
}

function mount(client: ScriptedClient, extra: { compact?: boolean; lang?: string; token?: string } = {}) {
  return fixture<CredentialStatusElement>(html`<credential-status
    credential-id="cred_5"
    token=${extra.token ?? 'cs_session_1'}
    lang=${extra.lang ?? 'en'}
    ?compact=${extra.compact ?? false}
    .pollInterval=${50}
    .client=${client}
  ></credential-status>`);
}

describe('<credential-status>', () => {
  it('loading: a busy indicator until the first snapshot', async () => {
    const client = new ScriptedClient();
    const el = await mount(client);
    expect(byPart(el, 'spinner')).to.exist;
    expect(el.hasAttribute('status')).to.equal(false);
    await expect(el).to.be.accessible();
  });

  it('turned off while being set up: one headline, one sentence, no "usually takes seconds", no help', async () => {
    const client = new ScriptedClient();
    const el = await mount(client);
    await until(() => client.streams.length === 1, 'stream opened');
    client.streams[0].open();
    client.streams[0].push({ ...event(null, 'provisioning'), enabled: false });
    await until(() => el.status === 'provisioning', 'status');
    await el.updateComplete;
    const text = textOf(byPart(el, 'base'));
    expect(text).to.contain('Turned off by your administrator');
    expect(text).to.not.contain('usually takes seconds');
    expect(byPart(el, 'help')).to.equal(null);
    expect(el.shadowRoot!.querySelectorAll('p:not([part="badge"]):not([part="updated"])')).to.have.length(1);
    await expect(el).to.be.accessible();
  });

  it('removed: the sentence says what to do next', async () => {
    const client = new ScriptedClient();
    const el = await mount(client);
    await until(() => client.streams.length === 1, 'stream opened');
    client.streams[0].open();
    client.streams[0].push(event(null, 'revoked'));
    await until(() => el.status === 'revoked', 'status');
    await el.updateComplete;
    expect(textOf(byPart(el, 'description'))).to.match(/administrator/);
  });

  for (const status of CREDENTIAL_STATUSES) {
    it(`${status}: words, icon and colour, reflected, accessible`, async () => {
      const client = new ScriptedClient();
      const el = await mount(client);
      await until(() => client.streams.length === 1, 'stream opened');
      client.streams[0].open();
      client.streams[0].push(event(null, status));
      await until(() => el.status === status, 'status');
      await el.updateComplete;
      expect(el.getAttribute('status')).to.equal(status);
      const badge = byPart(el, 'badge')!;
      expect(textOf(badge)).to.equal(`Pass status: ${WORDS[status]}`);
      expect(byPart(el, 'icon')!.getAttribute('aria-hidden')).to.equal('true');
      expect(byPart(el, 'base')!.dataset.status).to.equal(status);
      expect(getComputedStyle(badge).color).to.not.equal(getComputedStyle(byPart(el, 'description')!).color);
      const help = queryByRole(el, 'group');
      expect(!!help, 'troubleshooting help').to.equal(status === 'invited' || status === 'provisioning');
      await expect(el).to.be.accessible();
    });
  }

  it('the HID troubleshooting help for invited reads in plain words', async () => {
    const client = new ScriptedClient();
    const el = await mount(client);
    await until(() => client.streams.length === 1, 'stream');
    client.streams[0].push(event(null, 'invited'));
    await until(() => byPart(el, 'help'), 'help');
    await el.updateComplete; // the tips load lazily; updateComplete waits for them
    expect(textOf(byPart(el, 'help'))).to.contain('Check the code is still valid');
  });

  it('the troubleshooting help follows lang: German tips for a pass being set up', async () => {
    const client = new ScriptedClient();
    const el = await mount(client, { lang: 'de' });
    await until(() => client.streams.length === 1, 'stream');
    client.streams[0].push(event(null, 'provisioning'));
    await until(() => byPart(el, 'help'), 'help');
    await el.updateComplete;
    const help = byPart(el, 'help')!;
    expect(textOf(help)).to.contain('Funktioniert nicht?');
    expect(textOf(help)).to.contain('Öffnen Sie Ihre Wallet-App');
    expect(help.querySelectorAll('li')).to.have.length(4);
  });

  it('HID Mobile Access (type 8): the HID app’s help for invited, and for active but not opening doors', async () => {
    const client = new ScriptedClient();
    const el = await mount(client);
    await until(() => client.streams.length === 1, 'stream');
    client.streams[0].push({ ...event(null, 'invited'), credential_type_id: 8 });
    await until(() => byPart(el, 'help'), 'help');
    await el.updateComplete;
    expect(textOf(byPart(el, 'help'))).to.contain('Install the HID Mobile Access app');
    expect(textOf(byPart(el, 'help'))).to.not.contain('Wallet');
    client.streams[0].push({ ...event('invited', 'active'), credential_type_id: 8 });
    await until(() => el.status === 'active', 'active');
    await el.updateComplete;
    const help = byPart(el, 'help')!;
    expect(help, 'an active HID credential still offers help').to.exist;
    expect(textOf(help)).to.contain('Check the reader is online and supports HID Mobile Access');
    expect(queryByRole(el, 'button', /wallet/i)).to.not.exist;
    await expect(el).to.be.accessible();
  });

  it('HID help follows lang: Arabic tips for a credential being set up', async () => {
    const client = new ScriptedClient();
    const el = await mount(client, { lang: 'ar' });
    await until(() => client.streams.length === 1, 'stream');
    client.streams[0].push({ ...event(null, 'provisioning'), credential_type_id: 8 });
    await until(() => byPart(el, 'help'), 'help');
    await el.updateComplete;
    expect(textOf(byPart(el, 'help'))).to.contain('أغلق تطبيق HID Mobile Access');
  });

  it('status-changed fires for real changes only, with old, new and when', async () => {
    const client = new ScriptedClient();
    const el = await mount(client);
    const changed = spyEvents<StatusChangedDetail>(document, 'status-changed');
    await until(() => client.streams.length === 1, 'stream');
    const stream = client.streams[0];
    stream.open();
    stream.push(event(null, 'provisioning', '2030-01-01T10:00:00Z'));
    await until(() => el.status === 'provisioning', 'snapshot');
    stream.push(event('provisioning', 'provisioning', '2030-01-01T10:00:05Z')); // a device change, same status
    stream.push(event('provisioning', 'active', '2030-01-01T10:01:00Z'));
    await until(() => el.status === 'active', 'active');
    expect(changed.details).to.deep.equal([
      { oldStatus: 'provisioning', newStatus: 'active', at: '2030-01-01T10:01:00Z' },
    ]);
    expect(changed.events[0].bubbles && changed.events[0].composed).to.equal(true);
  });

  it('shows the time of the last change relatively', async () => {
    const client = new ScriptedClient();
    const el = await mount(client);
    await until(() => client.streams.length === 1, 'stream');
    client.streams[0].push(event(null, 'active', new Date(Date.now() - 5 * 60_000).toISOString()));
    await until(() => byPart(el, 'updated'), 'updated');
    expect(textOf(byPart(el, 'updated'))).to.equal('Updated 5 minutes ago');
  });

  it('a ps_ token names its credential: no credential-id attribute needed', async () => {
    const client = new ScriptedClient();
    const el = await fixture<CredentialStatusElement>(
      html`<credential-status token="ps_7Qk2Zx_secretpart123" lang="en" .client=${client}></credential-status>`,
    );
    await until(() => client.streams.length === 1, 'stream opened');
    expect(client.streams[0].credentialId).to.equal('cred_7Qk2Zx');
    el.remove();
  });

  it('compact: only the badge', async () => {
    const client = new ScriptedClient();
    const el = await mount(client, { compact: true });
    await until(() => client.streams.length === 1, 'stream');
    client.streams[0].push(event(null, 'invited'));
    await until(() => byPart(el, 'badge'), 'badge');
    expect(byPart(el, 'description')).to.equal(null);
    expect(byPart(el, 'help')).to.equal(null);
    expect(byPart(el, 'updated')).to.equal(null);
  });

  it('without live updates it polls GET …/status', async () => {
    const client = new ScriptedClient();
    client.streamUnavailable = true;
    client.answer('getCredentialStatus', snapshot('provisioning')).always('getCredentialStatus', snapshot('active'));
    const el = await mount(client);
    const changed = spyEvents<StatusChangedDetail>(el, 'status-changed');
    await until(() => el.status === 'active', 'polled to active');
    expect(client.callsOf('getCredentialStatus')[0].args[0]).to.equal('cred_5');
    expect(changed.details.map((d) => [d.oldStatus, d.newStatus])).to.deep.equal([['provisioning', 'active']]);
  });

  it('a stream closed for good falls back to polling, then reconnects', async () => {
    const client = new ScriptedClient().always('getCredentialStatus', snapshot('suspended'));
    const el = await mount(client);
    await until(() => client.streams.length === 1, 'stream');
    client.streams[0].push(event(null, 'active'));
    await until(() => el.status === 'active', 'active');
    client.streams[0].fail(true);
    await until(() => el.status === 'suspended', 'polled');
    await until(() => client.streams.length === 2, 'reopened stream', 5000);
  });

  it('a dropped stream that retries by itself says it is reconnecting', async () => {
    const client = new ScriptedClient();
    const el = await mount(client);
    await until(() => client.streams.length === 1, 'stream');
    client.streams[0].push(event(null, 'active'));
    client.streams[0].fail(false);
    await until(() => textOf(byPart(el, 'base')).includes('Reconnecting'), 'reconnecting');
    client.streams[0].open();
    await until(() => !textOf(byPart(el, 'base')).includes('Reconnecting'), 'reconnected');
  });

  it('not_found and network errors are shown; a network error can be retried', async () => {
    const client = new ScriptedClient();
    client.streamUnavailable = true;
    client.answer('getCredentialStatus', { error: apiError('not_found', { status: 404 }) });
    const el = await mount(client);
    await until(() => queryByRole(el, 'alert'), 'alert');
    expect(textOf(getByRole(el, 'alert'))).to.contain('could not find this pass');
    await expect(el).to.be.accessible();

    const flaky = new ScriptedClient();
    flaky.streamUnavailable = true;
    flaky
      .answer('getCredentialStatus', { error: apiError('network_error') })
      .always('getCredentialStatus', snapshot('active'));
    const other = await fixture<CredentialStatusElement>(
      html`<credential-status credential-id="cred_5" token="cs_1" .pollInterval=${60_000} .client=${flaky}></credential-status>`,
    );
    await until(() => queryByRole(other, 'button', 'Try again'), 'retry');
    getByRole(other, 'button', 'Try again').click();
    await until(() => other.status === 'active', 'after retry');
  });

  it('an expired token fires token-expired; a new token reconnects', async () => {
    const client = new ScriptedClient();
    client.streamUnavailable = true;
    client
      .answer('getCredentialStatus', { error: apiError('unauthorized', { status: 401 }) })
      .always('getCredentialStatus', snapshot('active'));
    const expired = spyEvents(document, 'token-expired');
    const el = await mount(client);
    await until(() => expired.count === 1, 'token-expired');
    el.token = 'cs_session_2';
    await until(() => el.status === 'active', 'active with new token');
    expect(client.callsOf('getCredentialStatus').at(-1)!.ctx.token).to.equal('cs_session_2');
  });

  it('Arabic: status words in Arabic, right-to-left', async () => {
    const client = new ScriptedClient();
    const el = await mount(client, { lang: 'ar' });
    await until(() => client.streams.length === 1, 'stream');
    client.streams[0].push(event(null, 'active'));
    await until(() => byPart(el, 'badge'), 'badge');
    expect(textOf(byPart(el, 'label'))).to.equal('نشطة');
    expect(byPart(el, 'base')!.getAttribute('dir')).to.equal('rtl');
    await expect(el).to.be.accessible();
  });
});
