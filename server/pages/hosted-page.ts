import { html, raw } from 'hono/html';
import type { Locale } from '../messages/locale.js';
import { PAGE_STRINGS } from '../messages/pages.js';

export interface HostedPageInput {
  locale: Locale;
  brand: { name: string; hasLogo: boolean };
  /** The server's public origin: the widgets' api-base. */
  apiBase: string;
  /** The built-in hosted-page publishable key (origin PUBLIC_URL only). */
  publishableKey: string;
  /** The hosted key's default country (KEYWAY_DEFAULT_COUNTRY): preselected on the phone step; else the locale decides. */
  defaultCountry?: string;
  /** Official badge artwork available from KEYWAY_BADGE_DIR; otherwise plain labelled buttons. */
  badges?: { apple: boolean; google: boolean };
}

/**
 * `/p`: one mobile-first journey — code or phone (and its SMS code) → add to wallet → live status.
 * No inline script or style (strict CSP): behaviour is /p/page.js, looks are /p/page.css and the
 * operator's colour /p/brand.css. Strings the script needs travel in a JSON data block.
 */
export function hostedPage(input: HostedPageInput) {
  const t = PAGE_STRINGS[input.locale];
  const brand = input.brand.name;
  const dir = input.locale === 'ar' ? 'rtl' : 'ltr';
  const scriptStrings = JSON.stringify({
    title: t.title(brand),
    errorTitle: t.errorTitle(t.title(brand)),
    steps: t.steps,
    linkFailed: t.linkFailed,
    sessionEnding: t.sessionEnding,
  }).replace(/</g, '\\u003c');
  return html`<!doctype html>
<html lang="${input.locale}" dir="${dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${t.title(brand)}</title>
<meta name="description" content="${t.description(brand)}">
<link rel="icon" href="/favicon.ico">
<link rel="stylesheet" href="/p/page.css">
<link rel="stylesheet" href="/p/brand.css">
<script type="module" src="/cdn/keyway.js"></script>
<script type="module" src="/p/page.js"></script>
<script type="application/json" id="page-strings">${raw(scriptStrings)}</script>
</head>
<body>
<div class="side">
<header class="brand">
  ${input.brand.hasLogo ? html`<img class="logo" src="/p/logo" alt="" width="32" height="32">` : ''}
  <span class="brand-name">${brand}</span>
</header>
<aside class="journey" aria-label="${t.journeyLabel}">
  <p class="journey-intro">${t.asideIntro(brand)}</p>
  <ol class="journey-steps" id="journey-steps">
    ${t.stepNames.map((name, i) => html`<li${i === 0 ? raw(' aria-current="step"') : ''}>${name}</li>`)}
  </ol>
</aside>
</div>
<main>
  <keyway-provider id="journey" api-base="${input.apiBase}" publishable-key="${input.publishableKey}" locale="${input.locale}">
    <p class="step-label" id="step-label" aria-live="polite">${t.steps[0]}</p>
    <p class="notice" id="notice" role="alert" hidden></p>

    <section id="step-start" aria-labelledby="start-heading">
      <h1 id="start-heading" tabindex="-1">${t.startHeading(brand)}</h1>
      <p class="intro">${t.startIntro}</p>
      <div id="by-code">
        <invite-redeem></invite-redeem>
        <button type="button" class="switch" id="use-phone">${t.usePhone}</button>
      </div>
      <div id="by-phone" hidden>
        ${input.defaultCountry ? html`<sms-otp-verify country="${input.defaultCountry}"></sms-otp-verify>` : html`<sms-otp-verify></sms-otp-verify>`}
        <p class="intro" id="phone-limited" hidden>${t.phoneLimited}</p>
        <button type="button" class="switch" id="use-code">${t.useCode}</button>
      </div>
    </section>

    <section id="step-continuing" hidden>
      <h1 tabindex="-1">${t.continuing}</h1>
    </section>

    <section id="step-wallet" aria-labelledby="wallet-heading" hidden>
      <h1 id="wallet-heading" tabindex="-1">${t.walletHeading}</h1>
      <p class="intro">${t.walletIntro}</p>
      <add-to-wallet>${input.badges?.apple ? html`<img slot="apple-badge" src="/p/badges/apple-${input.locale}" alt="" height="48">` : ''}${input.badges?.google ? html`<img slot="google-badge" src="/p/badges/google-${input.locale}" alt="" height="48">` : ''}</add-to-wallet>
    </section>

    <section id="step-status" aria-labelledby="status-heading" hidden>
      <h2 id="status-heading" tabindex="-1">${t.statusHeading}</h2>
      <p class="intro">${t.statusIntro}</p>
      <credential-status></credential-status>
    </section>

    <p class="restart" id="restart" hidden><a href="/p">${t.startAgain}</a></p>
  </keyway-provider>
  <noscript><p class="notice">${t.noScript}</p></noscript>
</main>
<footer><p>${t.footer(brand)}</p></footer>
</body>
</html>`;
}
