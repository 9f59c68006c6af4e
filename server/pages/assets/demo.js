// The development demo (/): operator console, partner pane and dev phone. Plain ES module served
// as is; it builds DOM with textContent only, so nothing from the API is ever parsed as HTML.
import { seams } from '/cdn/keyway.js';

const { qrManager } = await seams();

const config = JSON.parse(document.getElementById('demo-config').textContent);
const secretKey = config.keys?.secretKey;
const $ = (id) => document.getElementById(id);

/** Creates an element with attributes and children (strings become text nodes). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name in el && typeof value !== 'string') el[name] = value;
    else el.setAttribute(name, value === true ? '' : value);
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

class ApiFailure extends Error {
  constructor(status, body, retryAfter) {
    // A 503 from HID Origo says when to try again: the operator sees it beside the message.
    super(`${body?.error?.message ?? `HTTP ${status}`}${retryAfter ? ` (Try again in ${retryAfter} s.)` : ''}`);
    this.status = status;
    this.code = body?.error?.code;
  }
}

/** Calls the admin API with the demo secret key. */
async function api(method, path, body) {
  const response = await fetch(`/api/3${path}`, {
    method,
    headers: { authorization: `Bearer ${secretKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiFailure(response.status, data, response.headers.get('retry-after'));
  return data;
}

const time = (iso) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

// ---- first-run banner ------------------------------------------------------------------------

if (localStorage.getItem('keyway-demo-banner') === 'dismissed') $('first-run').hidden = true;
$('dismiss-banner').addEventListener('click', () => {
  localStorage.setItem('keyway-demo-banner', 'dismissed');
  $('first-run').hidden = true;
});

// ---- operator console ------------------------------------------------------------------------

let selectedPerson = null;
/** A client session per person, so the console's <credential-status> elements stay live. */
const sessions = new Map();

async function sessionFor(personId) {
  const known = sessions.get(personId);
  if (known && Date.parse(known.expires_at) - Date.now() > 90_000) return known;
  const session = await api('POST', '/client_sessions', { person_id: personId });
  sessions.set(personId, session);
  return session;
}

async function refreshPeople() {
  const { people } = await api('GET', '/people?limit=50');
  const list = $('people');
  list.replaceChildren(
    ...people.map((p) =>
      h(
        'li',
        {},
        h(
          'button',
          {
            type: 'button',
            class: 'person',
            'aria-pressed': String(selectedPerson?.id === p.id),
            onclick: () => selectPerson(p),
          },
          `${p.first_name} ${p.last_name}`,
          h('span', { class: 'muted' }, ` #${p.id}${p.phone ? ` · ${p.phone}` : ''}`),
        ),
      ),
    ),
  );
  if (!people.length) list.append(h('li', { class: 'muted' }, 'Nobody yet — create a person above.'));
}

async function selectPerson(person) {
  selectedPerson = person;
  $('person-detail').hidden = false;
  $('person-name').textContent = `${person.first_name} ${person.last_name} (#${person.id})`;
  await Promise.all([refreshPeople(), refreshCredentials()]);
}

let shownCredentials = '';

const WALLET_PASS = 9;
const HID_MOBILE = 8;
/** The types this console issues: the wallet pass, and HID Mobile Access when the server offers it. */
const issuable = new Set((config.issuable ?? [{ id: WALLET_PASS }]).map((t) => t.id));

/** What a type-8 status means for the operator (docs/hid.md): Keyway follows HID Origo, the HID app does the phone. */
const HID_STATES = {
  invited: 'Waiting for the person to enter the code in the HID Mobile Access app.',
  provisioning: 'Code entered; HID Origo is provisioning the phone.',
  active: 'On the phone: readers accept its card number.',
  suspended: 'Suspended in Keyway: doors that ask Keyway refuse it.',
  revoking: 'Revoking at HID Origo; turns revoked when Origo confirms every phone.',
  revoked: 'Revoked at HID Origo.',
  expired: 'The code lapsed before a phone took it: re-issue for a new one.',
};

/** Re-renders the person's credential cards when something in them changed (not on every poll). */
async function refreshCredentials() {
  if (!selectedPerson) return;
  const personId = selectedPerson.id;
  const [{ person_credentials: credentials }, session] = await Promise.all([
    api('GET', `/people/${personId}/credentials`),
    sessionFor(personId),
  ]);
  const signature = JSON.stringify([personId, session.token, credentials]);
  if (signature === shownCredentials) return;
  shownCredentials = signature;
  const cards = await Promise.all(
    credentials.filter((c) => issuable.has(c.credential_type_id)).map((c) => credentialCard(c, session)),
  );
  $('credentials').replaceChildren(
    ...(cards.length
      ? cards
      : [h('p', { class: 'muted' }, issuable.size > 1 ? 'No credential yet.' : 'No wallet pass yet.')]),
  );
}

async function credentialCard(credential, session) {
  const base = `/people/${credential.person_id}/credentials/${credential.id}`;
  const terminal = credential.status === 'revoking' || credential.status === 'revoked';
  const hid = credential.credential_type_id === HID_MOBILE;
  const act = (label, method, path, body, attrs = {}) =>
    h(
      'button',
      { type: 'button', disabled: terminal, ...attrs, onclick: () => run(() => api(method, path, body)) },
      label,
    );
  // An HID code goes into the HID app, not a Keyway page: the code as the API shows it, no link or QR.
  const invitation = hid
    ? credential.invitation_code
      ? h(
          'div',
          { class: 'invitation' },
          h('p', {}, 'HID invitation code ', h('strong', { class: 'code', dir: 'ltr' }, credential.invitation_code)),
          h('p', { class: 'muted' }, 'The person enters it in the HID Mobile Access app (App Store, Google Play).'),
          credential.invitation_expires_at
            ? h('p', { class: 'muted' }, `Expires ${new Date(credential.invitation_expires_at).toLocaleString()}`)
            : null,
        )
      : null
    : credential.invitation_code
      ? h(
          'div',
          { class: 'invitation' },
          h('p', {}, 'Invitation code ', h('strong', { class: 'code', dir: 'ltr' }, credential.invitation_code)),
          h(
            'p',
            {},
            h(
              'a',
              { href: credential.invitation_url, class: 'invitation-link', target: '_blank', rel: 'noopener' },
              credential.invitation_url,
            ),
          ),
          h('img', {
            class: 'qr',
            alt: `QR code of the invitation link for ${selectedPerson.first_name}`,
            src: await qrManager.render(credential.invitation_url),
            width: 160,
            height: 160,
          }),
          credential.invitation_expires_at
            ? h('p', { class: 'muted' }, `Expires ${new Date(credential.invitation_expires_at).toLocaleString()}`)
            : null,
        )
      : null;
  const devices = (credential.devices ?? []).map((d) =>
    h(
      'li',
      {},
      `${hid ? 'phone' : d.platform} · ${d.status} · ${d.id}`,
      d.status !== 'revoked'
        ? h(
            'button',
            { type: 'button', class: 'small', onclick: () => run(() => api('DELETE', `${base}/devices/${d.id}`)) },
            hid ? 'Revoke phone' : 'Revoke device',
          )
        : null,
    ),
  );
  return h(
    'article',
    {
      class: 'credential',
      'data-credential-id': credential.id,
      'data-type': String(credential.credential_type_id),
      'data-status': credential.status,
    },
    h(
      'p',
      { class: 'cred-id' },
      credential.id,
      h(
        'span',
        { class: 'muted' },
        ` · ${hid ? 'HID Mobile Access' : (credential.value_mode ?? '')} · ${credential.enabled ? 'enabled' : 'disabled'}`,
      ),
    ),
    hid
      ? h(
          'p',
          { class: 'hid-state' },
          'Status ',
          h('strong', { class: 'status' }, credential.status),
          ` — ${HID_STATES[credential.status] ?? ''}`,
        )
      : null,
    h('credential-status', {
      'api-base': config.publicUrl,
      'credential-id': credential.id,
      token: session.token,
      'token-expires-at': session.expires_at,
      'ontoken-expired': () => sessions.delete(credential.person_id),
    }),
    invitation,
    devices.length ? h('ul', { class: 'devices' }, devices) : null,
    h(
      'div',
      { class: 'actions' },
      act(
        'Suspend',
        'PUT',
        base,
        { person_credential: { enabled: false } },
        { disabled: terminal || !credential.enabled },
      ),
      act(
        'Resume',
        'PUT',
        base,
        { person_credential: { enabled: true } },
        { disabled: terminal || credential.enabled },
      ),
      act(hid ? 'Re-issue (new phone)' : 'Re-issue', 'POST', `${base}/invitation`),
      act('Revoke', 'DELETE', base, undefined, { class: 'danger' }),
    ),
  );
}

/** Runs a console action, then refreshes what it changed; errors go to the console's alert line. */
async function run(action) {
  $('credential-error').textContent = '';
  const pressed = document.activeElement;
  const card = pressed?.closest?.('article.credential')?.dataset.credentialId;
  const label = pressed?.textContent;
  try {
    await action();
  } catch (error) {
    $('credential-error').textContent = error.message;
  }
  await Promise.allSettled([refreshCredentials(), refreshEvents()]);
  if (card) keepFocus(card, label);
}

/**
 * The cards are drawn anew after an action, so the pressed button is gone: focus goes to the same
 * button in the new card if it can still be pressed, else the card's next action, else the card.
 */
function keepFocus(credentialId, label) {
  if (document.activeElement && document.activeElement !== document.body) return;
  const article = document.querySelector(`article.credential[data-credential-id="${credentialId}"]`);
  if (!article) return;
  const buttons = [...article.querySelectorAll('button:not([disabled])')];
  const target =
    buttons.find((b) => b.textContent === label) ?? article.querySelector('.actions button:not([disabled])');
  if (target) target.focus();
  else {
    article.tabIndex = -1;
    article.focus();
  }
}

$('person-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const person = { first_name: form.get('first_name'), last_name: form.get('last_name'), enabled: true };
  if (form.get('email')) person.email = form.get('email');
  if (form.get('phone')) person.phone = form.get('phone');
  $('person-error').textContent = '';
  try {
    const created = await api('POST', '/people', { person });
    await selectPerson(created.person);
    await refreshEvents();
  } catch (error) {
    $('person-error').textContent = error.message;
  }
});

const issueButton = $('issue');
const typeName = (id) =>
  id === WALLET_PASS ? 'wallet pass' : (config.issuable.find((t) => t.id === id)?.name ?? `type ${id}`);
// With a type choice (HID Mobile Access offered), the button names what it issues.
$('issue-type')?.addEventListener('change', (event) => {
  issueButton.dataset.type = event.target.value;
  issueButton.textContent = `Issue ${typeName(Number(event.target.value))}`;
});
issueButton.addEventListener('click', async () => {
  const type = Number(issueButton.dataset.type);
  // A type-8 create waits on HID Origo (up to 10 s): say so, and keep the button from a second click.
  issueButton.disabled = true;
  if ($('issue-status'))
    $('issue-status').textContent = type === HID_MOBILE ? 'Asking HID Origo for an invitation…' : '';
  try {
    await run(() =>
      api('POST', `/people/${selectedPerson.id}/credentials`, {
        person_credential: { credential_type_id: type, enabled: true },
      }),
    );
  } finally {
    issueButton.disabled = false;
    if ($('issue-status')) $('issue-status').textContent = '';
    // A disabled button loses focus: give it back, so the keyboard stays where it was.
    if (!document.activeElement || document.activeElement === document.body) issueButton.focus();
  }
});

async function refreshEvents() {
  const { events } = await api('GET', '/events?limit=25');
  $('events').replaceChildren(
    ...events.map((e) =>
      h(
        'li',
        {},
        h('time', { datetime: e.at }, time(e.at)),
        ' ',
        h('strong', {}, e.type),
        h('span', { class: 'muted' }, ` ${e.subject ?? ''} · ${e.actor}`),
      ),
    ),
  );
}

// ---- webhooks (their API may not exist on this server yet: say so instead of failing) -----------

/** Whether this server has the webhook API: the page's config says so (no 116 KiB /openapi.json, no 404 probe). */
const webhooksAvailable = Promise.resolve(Boolean(config.webhooks)).then((available) => {
  if (!available) {
    $('webhook-form').hidden = true;
    $('deliveries').replaceChildren(
      h('li', { class: 'muted' }, 'This server has no webhook API yet: deliveries will show here once it does.'),
    );
  }
  return available;
});

async function refreshDeliveries() {
  if (!(await webhooksAvailable)) return;
  try {
    const { webhooks } = await api('GET', '/webhooks');
    const lists = await Promise.all(
      webhooks.map((w) =>
        api('GET', `/webhooks/${w.id}/deliveries?limit=10`).then(
          (d) => (d.deliveries ?? []).map((x) => ({ ...x, url: w.url })),
          () => [],
        ),
      ),
    );
    const rows = lists
      .flat()
      .sort((a, b) => String(b.created_at ?? b.at ?? '').localeCompare(String(a.created_at ?? a.at ?? '')));
    $('deliveries').replaceChildren(
      ...(rows.length
        ? rows
            .slice(0, 20)
            .map((d) =>
              h(
                'li',
                {},
                h('strong', {}, d.event ?? d.event_type ?? 'delivery'),
                ` → ${d.url} · ${d.status ?? d.state ?? ''}${d.response_status ? ` (${d.response_status})` : ''}`,
              ),
            )
        : [
            h(
              'li',
              { class: 'muted' },
              webhooks.length ? 'No deliveries yet.' : 'No endpoints yet. Add one to watch signed deliveries.',
            ),
          ]),
    );
  } catch (error) {
    $('deliveries').replaceChildren(h('li', { class: 'muted' }, `Deliveries unavailable: ${error.message}`));
  }
}

$('webhook-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('webhook-error').textContent = '';
  try {
    await api('POST', '/webhooks', {
      webhook: {
        url: new FormData(event.target).get('url'),
        events: [
          'credential.created',
          'credential.status_changed',
          'device.added',
          'device.revoked',
          'verification.succeeded',
        ],
      },
    });
    await refreshDeliveries();
  } catch (error) {
    $('webhook-error').textContent = error.message;
  }
});

// ---- partner pane --------------------------------------------------------------------------------

const partner = $('partner-provider');
const showWallet = () => {
  $('partner-wallet').hidden = false;
  $('partner-redeem').hidden = true;
  $('partner-sms').hidden = true;
  $('partner-switch').hidden = true;
};
partner.addEventListener('invite-redeemed', showWallet);
partner.addEventListener('otp-verified', showWallet);
$('partner-switch').addEventListener('click', () => {
  const toSms = $('partner-sms').hidden;
  $('partner-sms').hidden = !toSms;
  $('partner-redeem').hidden = toSms;
  $('partner-switch').textContent = toSms ? 'Use an invitation code instead' : 'Use a mobile number instead';
});
$('copy-snippet').addEventListener('click', async () => {
  try {
    await navigator.clipboard.writeText($('snippet').textContent);
    $('copy-status').textContent = 'Copied.';
  } catch {
    $('copy-status').textContent = 'Select the snippet and copy it by hand.';
  }
});

// ---- dev phone -----------------------------------------------------------------------------------

const URL_PATTERN = /(https?:\/\/[^\s<>"']+)/g;

/** Message text with its links made clickable, built as text nodes and anchors. */
function linkified(text) {
  return text
    .split(URL_PATTERN)
    .map((part, i) => (i % 2 ? h('a', { href: part, target: '_blank', rel: 'noopener', dir: 'ltr' }, part) : part));
}

let lastMessageId = null;

async function refreshMessages() {
  const response = await fetch('/dev/outbox');
  if (!response.ok) return;
  const { messages } = await response.json();
  $('no-messages').hidden = messages.length > 0;
  if (messages[0]?.id === lastMessageId) return;
  lastMessageId = messages[0]?.id ?? null;
  $('messages').replaceChildren(
    ...messages
      .slice(0, 30)
      .map((m) =>
        h(
          'li',
          { class: `message ${m.channel}`, 'data-channel': m.channel, 'data-to': m.to },
          h(
            'p',
            { class: 'meta' },
            h('span', { class: 'channel' }, m.channel === 'sms' ? 'SMS' : 'Email'),
            ` to ${m.to} · `,
            h('time', { datetime: m.sent_at }, time(m.sent_at)),
          ),
          m.subject ? h('p', { class: 'subject' }, m.subject) : null,
          h('p', { class: 'body' }, linkified(m.body)),
        ),
      ),
  );
}

// ---- the dev phone's wallet: passes this server produced, added as a phone would add them -------

/** This browser's simulated phone: one device library identifier and push token, kept across reloads. */
function simulatedPhone() {
  let phone = JSON.parse(localStorage.getItem('keyway-dev-phone') ?? 'null');
  if (!phone) {
    const hex = (n) =>
      [...crypto.getRandomValues(new Uint8Array(n))].map((b) => b.toString(16).padStart(2, '0')).join('');
    phone = { deviceLibraryIdentifier: `devphone-${hex(8)}`, pushToken: hex(32) };
    localStorage.setItem('keyway-dev-phone', JSON.stringify(phone));
  }
  return phone;
}

const PASS_STATES = { pending: 'being set up', active: 'active', revoked: 'removed' };
let shownPasses = '';

/**
 * What Wallet does after a person taps "Add" on an iPhone: registers the device for the pass's
 * updates at its webServiceURL, with the pass's authenticationToken in the Authorization header
 * (never in the URL). The server confirms the device and the credential turns active.
 */
async function addOnSimulatedPhone(pass) {
  const a = pass.apple;
  const phone = simulatedPhone();
  const base = new URL(a.webServiceURL).pathname; // same origin as this page (loopback)
  const url = `${base}/v1/devices/${encodeURIComponent(phone.deviceLibraryIdentifier)}/registrations/${encodeURIComponent(a.passTypeIdentifier)}/${encodeURIComponent(a.serialNumber)}`;
  const status = $('phone-wallet-status');
  status.textContent = '';
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `ApplePass ${a.authenticationToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pushToken: phone.pushToken }),
    });
    await response.text(); // read to its end: Wallet reads the (empty) answer too
    status.textContent = response.ok
      ? `Added to the simulated phone’s wallet: ${pass.holder}’s pass is registered (HTTP ${response.status}).`
      : `The registration was refused (HTTP ${response.status}).`;
  } catch (error) {
    status.textContent = `The registration failed: ${error.message}`;
  }
  await Promise.allSettled([refreshPasses(), refreshCredentials(), refreshEvents()]);
  // The pressed button is gone with the redrawn list: the status line says what happened.
  if (!document.activeElement || document.activeElement === document.body) {
    status.tabIndex = -1;
    status.focus();
  }
}

/**
 * What happens after a person taps Save on Google's page: Google posts a signed `save` callback.
 * Here the server signs it with the dev callback root and the simulated phone posts it to the real
 * /wallet/google/callback, which verifies it as it would Google's.
 */
async function saveOnSimulatedPhone(pass) {
  const status = $('phone-wallet-status');
  status.textContent = '';
  try {
    const signed = await fetch(`/dev/passes/${encodeURIComponent(pass.device_id)}/google-save`, { method: 'POST' });
    if (!signed.ok) throw new Error(`HTTP ${signed.status}`);
    const { callback } = await signed.json();
    const response = await fetch('/wallet/google/callback', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(callback),
    });
    await response.text();
    status.textContent = response.ok
      ? `Saved to the simulated phone’s Google Wallet: ${pass.holder}’s pass is confirmed (HTTP ${response.status}).`
      : `The save callback was refused (HTTP ${response.status}).`;
  } catch (error) {
    status.textContent = `The save failed: ${error.message}`;
  }
  await Promise.allSettled([refreshPasses(), refreshCredentials(), refreshEvents()]);
  if (!document.activeElement || document.activeElement === document.body) {
    status.tabIndex = -1;
    status.focus();
  }
}

async function refreshPasses() {
  const response = await fetch('/dev/passes');
  if (!response.ok) return;
  const { passes } = await response.json();
  $('no-passes').hidden = passes.length > 0;
  const signature = JSON.stringify(passes.map((p) => [p.device_id, p.status]));
  if (signature === shownPasses) return;
  shownPasses = signature;
  $('phone-passes').replaceChildren(
    ...passes.map((p) => {
      const describedBy = `pass-${p.device_id}`;
      const wallet = p.platform === 'apple' ? 'Apple Wallet' : 'Google Wallet';
      return h(
        'li',
        { class: 'message pass', 'data-device-id': p.device_id, 'data-status': p.status },
        h(
          'p',
          { id: describedBy },
          `${wallet} pass for ${p.holder} · `,
          h('strong', { class: 'pass-status' }, PASS_STATES[p.status] ?? p.status),
        ),
        h('p', { class: 'meta' }, `${p.credential_id} · `, h('time', { datetime: p.added_at }, time(p.added_at))),
        p.status === 'pending' && (p.apple || p.google)
          ? h(
              'button',
              {
                type: 'button',
                class: 'small',
                'aria-describedby': describedBy,
                onclick: () => (p.apple ? addOnSimulatedPhone(p) : saveOnSimulatedPhone(p)),
              },
              'Add to wallet on this simulated phone',
            )
          : null,
        p.status === 'pending' && !p.apple && !p.google
          ? h(
              'p',
              { class: 'meta' },
              'Google passes turn active when Google calls back (KEYWAY_GOOGLE_CALLBACK_KEYS is set, so the dev signer is off).',
            )
          : null,
      );
    }),
  );
}

// ---- start ---------------------------------------------------------------------------------------

const every = (ms, task) => {
  const tick = () => task().catch(() => undefined);
  tick();
  setInterval(tick, ms);
};

every(2000, refreshMessages);
every(2000, refreshPasses);
if (secretKey) {
  await refreshPeople();
  every(4000, refreshEvents);
  every(5000, refreshDeliveries);
  // Invitation status and devices change from other tabs (redeem, wallet); keep the cards current.
  every(4000, refreshCredentials);
} else {
  for (const el of $('console').querySelectorAll('button, input')) el.disabled = true;
}
