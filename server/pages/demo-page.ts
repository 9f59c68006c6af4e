import { html, raw } from 'hono/html';
import type { DemoConsoleKeys } from './demo-keys.js';

export interface DemoPageInput {
  nonce: string;
  /** Null when this data directory's demo keys are unknown (made before keys were kept). */
  keys: DemoConsoleKeys | null;
  publicUrl: string;
  brand: string;
  /** Credential types the console can issue (`GET /api/3/credential_types`' mobile ones): 9, and 8 when HID Origo is configured. */
  issuable?: readonly { id: number; name: string }[];
  /** Whether this server has the webhook API (its routes say so); the console shows deliveries then. */
  webhooks?: boolean;
}

/** The console's issue control: one button for wallet passes alone; a type choice when HID Mobile Access is offered too. */
function issueControl(issuable: readonly { id: number; name: string }[]) {
  if (issuable.length < 2) return html`<button type="button" id="issue" data-type="9">Issue wallet pass</button>`;
  const first = issuable.find((t) => t.id === 9) ?? issuable[0];
  return html`<div class="row issue-row">
        <label>Credential type <select id="issue-type">${issuable.map((t) => html`<option value="${t.id}"${t.id === first.id ? raw(' selected') : ''}>${t.name}</option>`)}</select></label>
        <button type="button" id="issue" data-type="${first.id}">Issue ${first.id === 9 ? 'wallet pass' : first.name}</button>
      </div>
      <p class="muted" id="issue-status" role="status"></p>`;
}

/** The copy-paste snippet shown beside the partner pane: exactly what the pane itself runs. */
export function partnerSnippet(publicUrl: string, publishableKey: string): string {
  return `<script type="module" src="${publicUrl}/cdn/keyway.js"></script>

<keyway-provider api-base="${publicUrl}" publishable-key="${publishableKey}">
  <!-- Step 1: the code redeems; the provider then hands the session to the elements below. -->
  <invite-redeem code-param></invite-redeem>
  <!-- Step 2: the wallet buttons and the live status appear once there is a session. -->
  <add-to-wallet></add-to-wallet>
  <credential-status></credential-status>
</keyway-provider>`;
}

/**
 * `/` in development: operator console, partner pane and dev phone on one page. The dev
 * operator's secret key is rendered into the page — it is their own console on loopback.
 */
export function demoPage(input: DemoPageInput) {
  const issuable = input.issuable ?? [{ id: 9, name: 'Wallet pass' }];
  const config = JSON.stringify({
    publicUrl: input.publicUrl,
    keys: input.keys,
    issuable,
    webhooks: input.webhooks ?? false,
  }).replace(/</g, '\\u003c');
  const pk = input.keys?.publishableKey ?? 'pk_…';
  return html`<!doctype html>
<html lang="en" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Keyway demo — ${input.brand}</title>
<link rel="icon" href="/favicon.ico">
<link rel="stylesheet" href="/demo/demo.css">
<script type="application/json" id="demo-config" nonce="${input.nonce}">${raw(config)}</script>
<script type="module" src="/cdn/keyway.js"></script>
<script type="module" src="/demo/demo.js"></script>
</head>
<body>
<header class="top">
  <h1>Keyway demo</h1>
  <nav aria-label="Elsewhere"><a href="/p">Hosted page /p</a> <a href="/docs">API reference</a> <a href="/dev/outbox">/dev/outbox</a></nav>
</header>

<section class="banner" id="first-run" aria-labelledby="banner-heading">
  <h2 id="banner-heading">Welcome to the development demo</h2>
  <p><strong>Operator console</strong>: people, credentials and their lifecycle, the audit log and webhook deliveries, using the demo secret key.
  <strong>Partner page</strong>: the widgets embedded from <code>/cdn/keyway.js</code> with the demo publishable key, beside the snippet to copy.
  <strong>Dev phone</strong>: every SMS and email the server “sent”, with working links. The hosted page is at <a href="/p">/p</a>.</p>
  <p>Passes are signed with <strong>development certificates</strong> made in <code>data/certs</code>: <code>openssl cms -verify</code> accepts them, a real iPhone will not. Nothing leaves this machine.</p>
  <button type="button" id="dismiss-banner">Got it</button>
</section>

${
  input.keys
    ? ''
    : html`<p class="warning" role="alert">This data directory’s demo keys are not known to the server (it keeps them from the first start in <code>data/demo-keys.json</code>). Set <code>KEYWAY_DEMO_SECRET_KEY</code> and <code>KEYWAY_DEMO_PUBLISHABLE_KEY</code>, or start with an empty data directory.</p>`
}

<main class="panes">
  <section class="pane" id="console" aria-labelledby="console-heading">
    <h2 id="console-heading">Operator console</h2>

    <form id="person-form" class="card">
      <h3>New person</h3>
      <div class="row">
        <label>First name <input name="first_name" required autocomplete="off" value="Jane"></label>
        <label>Last name <input name="last_name" required autocomplete="off" value="Smith"></label>
      </div>
      <label>Email <input name="email" type="email" autocomplete="off" placeholder="jane@example.com"></label>
      <label>Mobile <input name="phone" type="tel" autocomplete="off" placeholder="+44 7400 123456" dir="ltr"></label>
      <button type="submit">Create person</button>
      <p class="form-error" id="person-error" role="alert"></p>
    </form>

    <div class="card">
      <h3>People</h3>
      <ul id="people" class="people" aria-live="polite"></ul>
    </div>

    <div class="card" id="person-detail" hidden>
      <h3 id="person-name"></h3>
      ${issueControl(issuable)}
      <p class="form-error" id="credential-error" role="alert"></p>
      <div id="credentials"></div>
    </div>

    <div class="card">
      <h3>Audit log</h3>
      <ol id="events" class="events" tabindex="0" aria-label="Audit log entries"></ol>
    </div>

    <div class="card">
      <h3>Webhook deliveries</h3>
      <form id="webhook-form" class="inline">
        <label>Endpoint URL <input name="url" type="url" placeholder="http://127.0.0.1:9000/hooks" autocomplete="off" dir="ltr"></label>
        <button type="submit">Add endpoint</button>
      </form>
      <p class="form-error" id="webhook-error" role="alert"></p>
      <ol id="deliveries" class="events" tabindex="0" aria-label="Webhook delivery entries"></ol>
    </div>
  </section>

  <section class="pane" id="partner" aria-labelledby="partner-heading">
    <h2 id="partner-heading">Partner page</h2>
    <p class="hint">Embedded in this page (no iframe), as a partner’s site would. Redeem an invitation code, or switch to SMS.</p>
    <div class="card partner-card">
      <keyway-provider id="partner-provider" api-base="${input.publicUrl}" publishable-key="${pk}">
        <div id="partner-redeem"><invite-redeem></invite-redeem></div>
        <div id="partner-sms" hidden><sms-otp-verify></sms-otp-verify></div>
        <button type="button" class="link" id="partner-switch">Use a mobile number instead</button>
        <div id="partner-wallet" hidden>
          <add-to-wallet></add-to-wallet>
          <credential-status></credential-status>
        </div>
      </keyway-provider>
    </div>
    <h3>Copy-paste snippet</h3>
    <pre class="snippet"><code id="snippet">${partnerSnippet(input.publicUrl, pk)}</code></pre>
    <button type="button" id="copy-snippet">Copy snippet</button>
    <p id="copy-status" role="status"></p>
  </section>

  <section class="pane" id="dev-phone" aria-labelledby="phone-heading">
    <h2 id="phone-heading">Dev phone</h2>
    <div class="phone">
      <div class="phone-screen" tabindex="0" role="region" aria-label="Dev phone messages">
        <p class="phone-title">Messages</p>
        <ol id="messages" class="messages" aria-live="polite"></ol>
        <p class="hint" id="no-messages">No messages yet. SMS codes and invitation emails appear here.</p>
        <h3 class="phone-title" id="wallet-heading">Wallet</h3>
        <ol id="phone-passes" class="messages" aria-labelledby="wallet-heading"></ol>
        <p class="hint" id="no-passes">No passes yet. Press “Add to Apple Wallet” on the partner page or on /p, then add the pass here: the simulated phone registers it as a real iPhone would, and the credential turns active.</p>
        <p class="hint" id="phone-wallet-status" role="status"></p>
      </div>
    </div>
  </section>
</main>
</body>
</html>`;
}
