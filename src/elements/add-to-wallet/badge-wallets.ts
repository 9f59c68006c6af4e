// Loaded lazily by <add-to-wallet> once its credential turns out to be an HID badge (type 10, SPEC
// §16): the template's wallets, and Apple's provisioning window. Everything about that window's
// protocol lives here, so a corrected fact changes one file.
import { html, nothing, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { KeywayApiError } from '../../client/errors.js';
import type { KeywayCallContext, KeywayClient } from '../../client/keyway-client.js';
import type { AppleProvisioning, KeywayErrorCode, PassAnswer, WalletPlatform } from '../../client/types.js';
import type { LocalizeController } from '../../controllers/localize.js';
import { RequestController } from '../../controllers/request.js';
import { badgeStrings } from '../../i18n/badge.js';

/** What the badge flow borrows from its <add-to-wallet>. */
export interface BadgeHost {
  host: ReactiveControllerHost;
  l10n: LocalizeController;
  client(): KeywayClient;
  context(signal: AbortSignal): KeywayCallContext;
  credentialId(): string | undefined;
  reportError(error: unknown): KeywayApiError;
  renderError(id: string, error: KeywayApiError | undefined, retry: () => void): TemplateResult | typeof nothing;
  renderSpinner(): TemplateResult;
  passRequested(platform: WalletPlatform): void;
  passAdded(platform: WalletPlatform, deviceId: string): void;
  /** A save URL is opening (same tab): the element follows that device to `pass-added`. */
  passOpening(platform: WalletPlatform, deviceId: string, url: string): void;
}

/**
 * Apple's window result codes (hid-origo-notes §8, from Apple's script in HID's sample) → the
 * element's `keyway-error` code. "200" is success; any other code is `wallet_failed`.
 */
export const APPLE_RESULTS: Readonly<Record<string, KeywayErrorCode>> = {
  '444': 'wallet_closed',
  '408': 'wallet_timed_out',
  '400': 'wallet_misconfigured',
  '40101': 'wallet_browser_unsupported',
};

/** After these, the buttons are the way forward (no "Try again": nothing more can be done by retrying, or the button is it). */
const NO_RETRY = new Set<string>([
  'wallet_closed',
  'wallet_misconfigured',
  'wallet_browser_unsupported',
  'popup_blocked',
]);

/** The window's size as Apple's script opens it. */
const APPLE_WINDOW_FEATURES = 'popup,width=600,height=660';

type BadgePhase = 'idle' | 'requesting' | 'window' | 'signing-in' | 'opened' | 'added' | 'error';

/** The Google sign-in pop-up's size. */
const GOOGLE_WINDOW_FEATURES = 'popup,width=500,height=640';

const base64url = (text: string) => btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const randomToken = (): string => base64url(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(18))));

let windowSerial = 0;

/** An HID badge's wallets: which ones the template supports, and adding it through Apple's provisioning window. */
export class BadgeWallets {
  private readonly platformsRequest: RequestController<WalletPlatform[]>;
  private readonly passRequest: RequestController<PassAnswer>;
  phase: BadgePhase = 'idle';
  private error?: KeywayApiError;
  private lastPlatform: WalletPlatform = 'apple';
  private stopWatching?: () => void;

  constructor(private readonly owner: BadgeHost) {
    this.platformsRequest = new RequestController<WalletPlatform[]>(owner.host);
    this.passRequest = new RequestController<PassAnswer>(owner.host);
  }

  /** The wallets the badge's template supports; empty until known (no button before then). */
  get platforms(): WalletPlatform[] {
    return this.platformsRequest.value ?? [];
  }

  get added(): boolean {
    return this.phase === 'added';
  }

  get busy(): boolean {
    return this.phase === 'requesting' || this.phase === 'window' || this.phase === 'signing-in';
  }

  /** Asks the server which wallets the template supports (`POST /api/3/passes/platforms`). */
  readonly loadPlatforms = async (): Promise<void> => {
    const { owner } = this;
    await this.platformsRequest.run(async (signal) => {
      const { data } = await owner
        .client()
        .passPlatforms(owner.context(signal), { credentialId: owner.credentialId() });
      return data.platforms;
    });
    if (this.platformsRequest.error) this.fail(this.platformsRequest.error);
    owner.host.requestUpdate();
  };

  /** A press on a wallet button. Synchronous up to `window.open`: a pop-up needs the press's user activation. */
  press(platform: WalletPlatform): void {
    if (this.busy) return;
    this.lastPlatform = platform;
    if (platform === 'apple') void this.addToApple();
    else void this.addToGoogle();
  }

  dispose(): void {
    this.stopWatching?.();
  }

  private fail(error: unknown): void {
    this.error = this.owner.reportError(error);
    this.phase = 'error';
    this.owner.host.requestUpdate();
  }

  private failWith(code: KeywayErrorCode, message: string): void {
    this.fail(new KeywayApiError({ code, message }));
  }

  private async addToApple(): Promise<void> {
    const { owner } = this;
    // Opened blank from the press, pointed at Apple once the server answered (its payload first).
    const popup = window.open('', 'keyway-apple-wallet', APPLE_WINDOW_FEATURES);
    if (!popup) {
      this.failWith('popup_blocked', 'The browser blocked the Apple Wallet window.');
      return;
    }
    this.phase = 'requesting';
    this.error = undefined;
    owner.host.requestUpdate();
    owner.passRequested('apple');
    const answer = await this.passRequest.run(async (signal) => {
      const { data } = await owner
        .client()
        .requestPass(owner.context(signal), { platform: 'apple', credentialId: owner.credentialId() });
      return data;
    });
    if (!answer || !('apple_provisioning' in answer)) {
      popup.close();
      if (this.passRequest.error) this.fail(this.passRequest.error);
      else this.failWith('wallet_failed', 'The server answered no Apple provisioning payload.');
      return;
    }
    this.phase = 'window';
    owner.host.requestUpdate();
    this.openAppleWindow(popup, answer.apple_provisioning, answer.device_id);
  }

  /**
   * Apple's protocol: the window posts `{message:"ready"}`; the page answers
   * `{message:"jwtGenerationSuccessful", timestamp:<window id>, jwt:<payload>}` to the window's origin;
   * the window posts `{message:"deliverResult", result:{status}}`. A window the person closed is 444
   * (Apple's own script ignores a 444 while the window is still open and watches for it closing).
   */
  private openAppleWindow(popup: Window, provisioning: AppleProvisioning, deviceId: string): void {
    const id = ++windowSerial;
    const url = new URL(provisioning.window_url);
    url.searchParams.set('partnerId', provisioning.partner_id);
    url.searchParams.set('cardType', provisioning.card_type);
    url.searchParams.set('id', String(id));
    let ready = false;
    let done = false;
    const finish = (status: string) => {
      if (done) return;
      done = true;
      this.stopWatching?.();
      // The element carries on from here: a window left open would only confuse the next press.
      if (!popup.closed) popup.close();
      if (status === '200') {
        this.phase = 'added';
        this.owner.host.requestUpdate();
        this.owner.passAdded('apple', deviceId);
        return;
      }
      const code = APPLE_RESULTS[status] ?? 'wallet_failed';
      this.failWith(code, `Apple's provisioning window answered ${status}.`);
    };
    const onMessage = (event: MessageEvent) => {
      if (event.origin !== url.origin || event.source !== popup) return;
      const data = event.data as { message?: unknown; result?: { status?: unknown } } | null;
      if (data?.message === 'ready') {
        ready = true;
        popup.postMessage({ message: 'jwtGenerationSuccessful', timestamp: id, jwt: provisioning.payload }, url.origin);
      } else if (data?.message === 'deliverResult' && ready) {
        const status = String(data.result?.status ?? '');
        if (status === '444' && !popup.closed) return;
        finish(status);
      }
    };
    window.addEventListener('message', onMessage);
    const watch = setInterval(() => popup.closed && finish('444'), 500);
    this.stopWatching = () => {
      window.removeEventListener('message', onMessage);
      clearInterval(watch);
      this.stopWatching = undefined;
    };
    popup.location.href = url.href;
  }

  /**
   * The server answered a press made before the element knew the credential was a badge (its first
   * status snapshot still on the way): open Apple's window now, if the browser still allows it.
   */
  adoptAppleAnswer(answer: Extract<PassAnswer, { apple_provisioning: unknown }>): void {
    const popup = window.open('', 'keyway-apple-wallet', APPLE_WINDOW_FEATURES);
    if (!popup) {
      this.failWith('popup_blocked', 'The browser blocked the Apple Wallet window.');
      return;
    }
    this.lastPlatform = 'apple';
    this.phase = 'window';
    this.owner.host.requestUpdate();
    this.openAppleWindow(popup, answer.apple_provisioning, answer.device_id);
  }

  /**
   * Sign in with Google in a pop-up (Keyway's `/p/google-sign-in` sends it on to Google), the ID token
   * handed back by Keyway's `/p/google-signed-in` page with postMessage, then `POST /api/3/passes
   * {platform:"google", id_token}` and the save URL in this tab.
   */
  private async addToGoogle(): Promise<void> {
    const { owner } = this;
    const apiBase = owner.context(new AbortController().signal).apiBase;
    const state = `${randomToken()}.${base64url(location.origin)}`;
    const signIn = new URL('/p/google-sign-in', apiBase || location.href);
    signIn.searchParams.set('nonce', randomToken());
    signIn.searchParams.set('state', state);
    const popup = window.open(signIn.href, 'keyway-google-sign-in', GOOGLE_WINDOW_FEATURES);
    if (!popup) {
      this.failWith('popup_blocked', 'The browser blocked the Google sign-in window.');
      return;
    }
    this.phase = 'signing-in';
    this.error = undefined;
    owner.host.requestUpdate();
    owner.passRequested('google');
    const idToken = await new Promise<string | null>((resolve) => {
      const onMessage = (event: MessageEvent) => {
        const data = event.data as { message?: unknown; state?: unknown; id_token?: unknown } | null;
        // Only Keyway's own sign-in page, in the window this press opened, with this press's state.
        if (
          event.origin !== signIn.origin ||
          event.source !== popup ||
          data?.message !== 'keyway-google-sign-in' ||
          data.state !== state
        )
          return;
        stop();
        resolve(typeof data.id_token === 'string' && data.id_token ? data.id_token : null);
      };
      // The person closing the sign-in window is a cancel; give a message posted as it closed a moment.
      const watch = setInterval(() => popup.closed && setTimeout(() => (stop(), resolve(null)), 300), 500);
      const stop = () => {
        window.removeEventListener('message', onMessage);
        clearInterval(watch);
        this.stopWatching = undefined;
      };
      this.stopWatching = stop;
      window.addEventListener('message', onMessage);
    });
    if (this.phase !== 'signing-in') return;
    if (!idToken) {
      this.failWith('sign_in_cancelled', 'Sign in with Google was closed before it finished.');
      return;
    }
    this.phase = 'requesting';
    owner.host.requestUpdate();
    const answer = await this.passRequest.run(async (signal) => {
      const { data } = await owner
        .client()
        .requestPass(owner.context(signal), { platform: 'google', credentialId: owner.credentialId(), idToken });
      return data;
    });
    if (!answer || !('url' in answer)) {
      this.fail(this.passRequest.error ?? new KeywayApiError({ code: 'server_error', message: 'No save URL.' }));
      return;
    }
    this.phase = 'opened';
    owner.host.requestUpdate();
    owner.passOpening('google', answer.device_id, answer.url);
  }

  private message(code: string): string | undefined {
    const t = badgeStrings[this.owner.l10n.locale];
    const words: Record<string, string> = {
      popup_blocked: this.lastPlatform === 'google' ? t.popupBlockedGoogle : t.popupBlocked,
      sign_in_cancelled: t.signInCancelled,
      google_sign_in_invalid: t.signInInvalid,
      wallet_closed: t.closed,
      wallet_timed_out: t.timedOut,
      wallet_misconfigured: t.misconfigured,
      wallet_browser_unsupported: t.browserUnsupported,
      wallet_failed: t.failed,
    };
    return words[code];
  }

  /** Progress, success and the results of Apple's window, each with its way forward. */
  render(): TemplateResult | typeof nothing {
    const { owner } = this;
    const t = badgeStrings[owner.l10n.locale];
    const { t: common } = owner.l10n;
    if (this.phase === 'requesting') return html`<p class="progress">${owner.renderSpinner()} ${t.preparing}</p>`;
    if (this.phase === 'window') return html`<p tabindex="-1" data-focus-target>${t.windowOpen}</p>`;
    if (this.phase === 'signing-in') return html`<p tabindex="-1" data-focus-target>${t.signingIn}</p>`;
    if (this.phase === 'opened') return html`<p tabindex="-1" data-focus-target>${common.wallet.opened}</p>`;
    if (this.phase === 'added')
      return html`<p part="success" class="success" tabindex="-1" data-focus-target>${t.added(
        this.lastPlatform === 'google' ? common.wallet.googleWallet : common.wallet.appleWallet,
      )}</p>`;
    if (this.phase !== 'error' || !this.error) return nothing;
    const words = this.message(this.error.code);
    const retry = () => this.press(this.lastPlatform);
    if (!words) return owner.renderError('badge-error', this.error, retry);
    return html`<div class="error-block">
      <p id="badge-error" part="error" class="error" role="alert">
        <span class="visually-hidden">${common.common.errorPrefix}</span> ${words}
      </p>
      ${
        NO_RETRY.has(this.error.code)
          ? nothing
          : html`<button part="retry-button" type="button" class="secondary" @click=${retry}>${common.common.tryAgain}</button>`
      }
    </div>`;
  }
}
