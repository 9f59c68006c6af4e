// The hosted provisioning page's behaviour (/p). Plain ES module, no build step: served as is
// under a CSP without 'unsafe-inline'. The widgets do the work; this file only moves between steps.
import { define } from '/cdn/keyway.js';

const journey = document.getElementById('journey');
const strings = JSON.parse(document.getElementById('page-strings').textContent);
const sections = {
  start: document.getElementById('step-start'),
  continuing: document.getElementById('step-continuing'),
  wallet: document.getElementById('step-wallet'),
  status: document.getElementById('step-status'),
};
const stepLabel = document.getElementById('step-label');
const notice = document.getElementById('notice');
const restart = document.getElementById('restart');
const byCode = document.getElementById('by-code');
const byPhone = document.getElementById('by-phone');
const phoneLimited = document.getElementById('phone-limited');
const statusHeading = document.getElementById('status-heading');
const journeySteps = document.querySelectorAll('#journey-steps li');

/** Shows one step of three; `focus` moves keyboard and screen-reader focus to its heading. */
function show(step, { focus = true } = {}) {
  const number = { start: 1, continuing: 1, wallet: 2, status: 3 }[step];
  stepLabel.textContent = strings.steps[number - 1];
  sections.start.hidden = step !== 'start';
  sections.continuing.hidden = step !== 'continuing';
  // The wallet buttons stay on screen in step 3: they say "opened", "try again" and "added".
  sections.wallet.hidden = step !== 'wallet' && step !== 'status';
  sections.status.hidden = step !== 'status';
  // From step 2 the page follows the pass through <credential-status> while its section is still
  // hidden (a revoke or pause ends the wallet step), so its chunk cannot wait for the section to show.
  if (number >= 2) void define('credential-status');
  document.body.dataset.step = String(number);
  titled(false);
  // The desktop side panel names the three steps; the current one is marked for every reader.
  journeySteps.forEach((item, i) => {
    if (i === number - 1) item.setAttribute('aria-current', 'step');
    else item.removeAttribute('aria-current');
  });
  if (focus) (step === 'status' ? sections.status : sections[step]).querySelector('h1, h2')?.focus();
}

/** The page title says "Error:" while an error is on screen, so it is the first thing a screen reader hears. */
function titled(error) {
  document.title = error ? strings.errorTitle : strings.title;
}

function say(text) {
  notice.textContent = text;
  notice.hidden = !text;
}

// The provisioning session survives a reload and a round trip to the wallet (issue 29): kept for its
// life in this tab's sessionStorage — never in the URL or localStorage, gone when the tab closes.
const SESSION_KEY = 'keyway.hosted-session';

function keptSession() {
  try {
    const kept = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null');
    if (kept?.token && Date.parse(kept.expiresAt) > Date.now()) return kept;
    sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // storage blocked: the page works, a reload starts again
  }
  return null;
}

function keep(patch) {
  try {
    sessionStorage.setItem(SESSION_KEY, JSON.stringify({ ...keptSession(), ...patch }));
  } catch {
    // storage blocked or full
  }
}

function forget() {
  try {
    sessionStorage.removeItem(SESSION_KEY);
  } catch {
    // storage blocked
  }
}

/** Adopts a provisioning session: the provider hands it to every element inside. */
function adopt(token, expiresAt, credentialId, step = 'wallet') {
  journey.token = token;
  if (expiresAt) journey.tokenExpiresAt = expiresAt;
  if (credentialId) journey.credentialId = credentialId;
  keep({ token, expiresAt, credentialId, step });
  show(step);
}

/** Reads #code=, #ps= and #h= once and erases the fragment: it carries secrets. */
function takeFragment() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  if (location.hash) history.replaceState(history.state, '', location.pathname + location.search);
  return { code: params.get('code'), ps: params.get('ps'), handoff: params.get('h') };
}

async function post(path, token, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok)
    throw Object.assign(new Error(data?.error?.message ?? response.statusText), { code: data?.error?.code });
  return data;
}

async function continueHandoff(handoffToken) {
  show('continuing', { focus: false });
  try {
    const grant = await post('/api/3/handoffs/redeem', journey.publishableKey, { handoff_token: handoffToken });
    adopt(grant.provisioning_token, grant.expires_at, grant.credential?.id);
  } catch {
    show('start');
    say(strings.linkFailed);
  }
}

async function continueSession(token, { step = 'wallet', quiet = false } = {}) {
  show('continuing', { focus: false });
  try {
    // Ask the server about the ps_ from the SMS link first: an expired one gets a clear message now, and its expiry arms token-expired.
    const session = await post('/p/session', token);
    adopt(token, session.expires_at, session.credential_id, step);
  } catch {
    forget();
    show('start', { focus: !quiet });
    if (!quiet) say(strings.linkFailed);
  }
}

function choose(method) {
  byCode.hidden = method !== 'code';
  byPhone.hidden = method !== 'phone';
  const field = method === 'code' ? byCode.querySelector('invite-redeem') : byPhone.querySelector('sms-otp-verify');
  // The phone form's chunk loads when it first shows (the CDN loader skips hidden elements).
  customElements
    .whenDefined(field.localName)
    .then(() => field.updateComplete)
    .then(() => field.shadowRoot?.querySelector('input:not([type=search])')?.focus());
}

document.getElementById('use-phone').addEventListener('click', () => choose('phone'));
document.getElementById('use-code').addEventListener('click', () => choose('code'));

// The provider adopts the token itself; the page keeps it for a reload and moves on.
function verified(event) {
  const { provisioningToken: token, expiresAt, credential } = event.detail;
  keep({ token, expiresAt, credentialId: credential?.id, step: 'wallet' });
  say('');
  show('wallet');
}
journey.addEventListener('invite-redeemed', verified);
journey.addEventListener('otp-verified', verified);
journey.addEventListener('pass-requested', () => {
  keep({ step: 'status' });
  show('status', { focus: false });
});
// Once the pass is added, paused or being removed, "add the pass" no longer fits: the status is
// the page's one heading now, and takes the focus if it was in what went away.
function walletOver() {
  const active = document.activeElement;
  const focusLost = !active || active === document.body || sections.wallet.contains(active);
  show('status', { focus: false });
  sections.wallet.hidden = true;
  statusHeading.setAttribute('role', 'heading');
  statusHeading.setAttribute('aria-level', '1');
  if (focusLost) statusHeading.focus();
}
// Over for this page: the pass is paused, being removed or gone.
const OVER = ['suspended', 'revoking', 'revoked', 'expired'];
// Added here (or, on a computer, on the phone that took the hand-off): "Add the pass to your wallet"
// is over, the element's own "Your pass is in … Wallet" / "Added on your phone" stays.
journey.addEventListener('pass-added', () => {
  keep({ step: 'status' });
  show('status', { focus: false });
  for (const part of sections.wallet.querySelectorAll('h1, .intro')) part.hidden = true;
  statusHeading.setAttribute('role', 'heading');
  statusHeading.setAttribute('aria-level', '1');
});
const statusCard = sections.status.querySelector('credential-status');
new MutationObserver(() => {
  if (OVER.includes(statusCard.getAttribute('status'))) walletOver();
}).observe(statusCard, { attributes: true, attributeFilter: ['status'] });
journey.addEventListener('keyway-error', (event) => {
  titled(true);
  // A person held back on the phone path is told what else they can do meanwhile.
  if (event.target.localName === 'sms-otp-verify' && ['rate_limited', 'too_many_attempts'].includes(event.detail.code))
    phoneLimited.hidden = false;
});
journey.addEventListener('otp-sent', () => {
  titled(false);
  phoneLimited.hidden = true;
});
journey.addEventListener('token-expired', () => {
  forget();
  say(strings.sessionEnding);
  restart.hidden = false;
});
restart.querySelector('a').addEventListener('click', forget);

// The first screen's elements; the others load when their step shows.
await Promise.all(['keyway-provider', 'invite-redeem'].map((tag) => customElements.whenDefined(tag)));
const { code, ps, handoff } = takeFragment();
const kept = code ? null : keptSession();
if (handoff) await continueHandoff(handoff);
else if (ps) await continueSession(ps);
else if (kept) await continueSession(kept.token, { step: kept.step, quiet: true });
else {
  if (code) byCode.querySelector('invite-redeem').code = code;
  show('start', { focus: false });
}
