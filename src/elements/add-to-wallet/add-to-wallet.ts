import { html, nothing, type PropertyDeclarations } from 'lit';
import type { CredentialStatus, PassAnswer, WalletPlatform } from '../../client/types.js';
import { type LiveSnapshot, LiveStatusController } from '../../controllers/live-status.js';
import { RequestController } from '../../controllers/request.js';
import { KeywayElement } from '../../keyway-element.js';
import { type DevicePlatform, detectPlatform, type InAppBrowser } from '../../platform.js';
import { passNavigator } from '../../seams/navigation.js';
import { componentStyles } from '../../styles/component.styles.js';
import { addToWalletStyles } from './add-to-wallet.styles.js';
import type { BadgeWallets } from './badge-wallets.js';
import type { HandoffPanel } from './handoff-panel.js';

const PLATFORMS: readonly DevicePlatform[] = ['ios', 'android', 'desktop'];

type Phase = 'idle' | 'requesting' | 'opened' | 'added' | 'error' | 'apple-elsewhere';

/** HID Wallet Badge (SPEC §16): added through HID's web provisioning, not a Keyway pass. */
const HID_BADGE_TYPE = 10;

/** Statuses in which a pass neither can be added nor may be said to be in the wallet. */
const UNAVAILABLE = new Set<CredentialStatus>(['suspended', 'revoking', 'revoked']);

/**
 * Offers Apple Wallet and Google Wallet for a credential; on a computer, a QR code hands the
 * flow to a phone. For an HID badge (credential type 10) it offers only the wallets the badge's
 * template supports (`POST /api/3/passes/platforms`); Apple Wallet opens Apple's provisioning
 * window and Google Wallet Sign in with Google as a pop-up from the press (docs/elements.md).
 *
 * @tag add-to-wallet
 * @summary One press = one pass request, then the wallet opens in the same tab.
 *
 * @fires pass-requested - `{platform}` when a wallet button is pressed.
 * @fires pass-added - `{platform, credentialId, deviceId}` when the requested device turns `active`, or, on a
 *   computer showing the hand-off, when a phone's device of the credential does; for an HID badge in Apple
 *   Wallet, when Apple's provisioning window reports success (200).
 * @fires keyway-error - `{code, message}` on any failure. For an HID badge also: `popup_blocked` (the browser blocked
 *   the wallet window; nothing was requested), and Apple's window results `wallet_closed` (444),
 *   `wallet_timed_out` (408), `wallet_misconfigured` (400), `wallet_browser_unsupported` (40101),
 *   `wallet_failed` (any other); its success (200) is `pass-added`; Google's sign-in window closed or
 *   cancelled is `sign_in_cancelled`, a refused ID token `google_sign_in_invalid`.
 * @fires token-expired - `{expiresAt}` 60 s before the session token lapses.
 *
 * @slot apple-badge - Apple's official "Add to Apple Wallet" badge artwork (an `<img>` with alt text).
 * @slot google-badge - Google's official "Add to Google Wallet" badge artwork.
 *
 * @csspart base - The wrapper.
 * @csspart buttons - The row of wallet buttons.
 * @csspart apple-button - The "Add to Apple Wallet" button.
 * @csspart google-button - The "Add to Google Wallet" button.
 * @csspart status - The live region for progress and success.
 * @csspart success - The "your pass is in …" message, or "Added on your phone" after a hand-off.
 * @csspart unavailable - Says the pass is suspended or removed (no buttons then).
 * @csspart try-again-button - Requests the pass again when nothing opened.
 * @csspart in-app-guidance - "Open in Safari/Chrome" advice inside app web views.
 * @csspart handoff - The desktop "continue on your phone" panel.
 * @csspart qr - The box around the QR code image.
 * @csspart apple-elsewhere - Says Apple Wallet is on iPhone when "Add to Apple Wallet" is pressed on another computer (the QR beside it).
 * @csspart handoff-link - The hand-off link beside the QR code.
 * @csspart copy-button - Copies the hand-off link.
 * @csspart new-code-button - Makes a new hand-off code after the last one expired.
 * @csspart error - Error messages.
 * @csspart retry-button - "Try again" after a network failure.
 * @csspart spinner - The progress indicator.
 *
 * @cssprop --keyway-wallet-button-background - Wallet button background (black by default, as both wallets ask).
 * @cssprop --keyway-wallet-button-color - Wallet button text.
 * @cssprop --keyway-color-primary - Links and secondary buttons.
 * @cssprop --keyway-color-text - Body text.
 * @cssprop --keyway-color-border - Panel border.
 * @cssprop --keyway-color-danger - Errors.
 * @cssprop --keyway-color-success - Success messages.
 * @cssprop --keyway-color-warning - In-app browser advice.
 * @cssprop --keyway-color-focus - Focus ring.
 * @cssprop --keyway-font-family - Font stack.
 * @cssprop --keyway-radius - Corner radius.
 * @cssprop --keyway-space - Base spacing.
 */
export class AddToWallet extends KeywayElement {
  static override styles = [componentStyles, addToWalletStyles];

  static override properties: PropertyDeclarations = {
    credentialId: { attribute: 'credential-id' },
    platform: {},
    userAgent: { attribute: false },
    phase: { state: true },
    requested: { state: true },
    credentialStatus: { state: true },
    credentialEnabled: { state: true },
    inAWallet: { state: true },
    addedOnPhone: { state: true },
  };

  /** The credential; optional with a `ps_` token, which names its own. */
  declare credentialId?: string;

  /** `ios`, `android` or `desktop`; overrides detection from the user agent. */
  declare platform?: DevicePlatform;

  /** The user agent to detect from; defaults to the browser's (settable for previews). */
  declare userAgent?: string;

  private phase: Phase = 'idle';
  declare private requested?: { platform: WalletPlatform; deviceId: string };
  /** The credential's live status: the element follows it (docs/elements.md). */
  declare private credentialStatus?: CredentialStatus;
  /** Whether the credential is enabled and whether a phone already holds it, from the same snapshot. */
  private credentialEnabled = true;
  private inAWallet = false;
  /** The hand-off finished: a phone that took this page's link added the pass (docs/elements.md). */
  private addedOnPhone = false;
  /** Devices already active at the first snapshot: one turning active later is the hand-off's phone. */
  private activeBefore?: Set<string>;
  /** What the live watch runs for (credential, token, api-base); a change restarts it. */
  private watching = '';

  private readonly pass = new RequestController<PassAnswer>(this);
  /** Set once the credential turns out to be an HID badge (its chunk loaded lazily). */
  private badge?: BadgeWallets;
  private badgeAsked = false;
  private handoff?: HandoffPanel;
  private handoffAsked = false;
  private lastPlatform?: WalletPlatform;
  private readonly watch = new LiveStatusController(this, {
    client: () => this.keywayClient,
    context: () => this.callContext(),
    credentialId: () => this.effectiveCredentialId,
    onSnapshot: (snapshot) => this.onStatus(snapshot),
    // Other failures are <credential-status>'s to show; a missing api-base is worth one warning here too.
    onError: (error) => void (error.code === 'misconfigured' && this.reportError(error)),
  });

  private get effectiveCredentialId(): string | undefined {
    return this.credentialId || this.config?.credentialId || this.tokenCredentialId;
  }

  private get detected(): { platform: DevicePlatform; inApp: InAppBrowser | null } {
    const guess = detectPlatform(
      this.userAgent ?? navigator.userAgent,
      this.userAgent !== undefined ? 0 : navigator.maxTouchPoints,
    );
    const override = PLATFORMS.includes(this.platform as DevicePlatform) ? this.platform : undefined;
    return { platform: override ?? guess.platform, inApp: guess.inApp };
  }

  override updated(changed: Map<PropertyKey, unknown>): void {
    super.updated(changed);
    const { platform, inApp } = this.detected;
    // On first display, without a press: computers and app web views get a hand-off link.
    if ((platform === 'desktop' || inApp) && !this.handoffAsked && this.effectiveToken) {
      this.handoffAsked = true;
      void this.openHandoff(platform === 'desktop');
    }
    const id = this.effectiveCredentialId;
    const token = this.effectiveToken;
    const key = id && token ? `${id}|${token}|${this.apiBase ?? this.config?.apiBase ?? ''}` : '';
    // Watched from the first display, so a suspended or removed pass is never offered or called "added".
    if (key !== this.watching) {
      this.watching = key;
      this.watch.stop();
      if (key) this.watch.start();
    }
  }

  private async openHandoff(desktop: boolean): Promise<void> {
    const { HandoffPanel } = await import('./handoff-panel.js');
    this.handoff = new HandoffPanel({
      host: this,
      l10n: this.l10n,
      client: () => this.keywayClient,
      context: (signal) => this.callContext(signal),
      reportError: (error) => this.reportError(error),
      renderError: (id, error, retry) => this.renderError(id, error, retry),
      renderSpinner: () => this.renderSpinner(),
    });
    await this.handoff.create(desktop);
  }

  private async openBadge(): Promise<void> {
    const { BadgeWallets } = await import('./badge-wallets.js');
    if (this.badge) return;
    this.badge = new BadgeWallets({
      host: this,
      l10n: this.l10n,
      client: () => this.keywayClient,
      context: (signal) => this.callContext(signal),
      credentialId: () => this.effectiveCredentialId,
      reportError: (error) => this.reportError(error),
      renderError: (id, error, retry) => this.renderError(id, error, retry),
      renderSpinner: () => this.renderSpinner(),
      passRequested: (platform) => {
        this.lastPlatform = platform;
        this.emit('pass-requested', { platform });
      },
      passOpening: (platform, deviceId, url) => {
        this.requested = { platform, deviceId };
        passNavigator.assign(url);
      },
      passAdded: (platform, deviceId) => {
        this.requested = { platform, deviceId };
        const credentialId = this.effectiveCredentialId;
        if (credentialId) this.emit('pass-added', { platform, credentialId, deviceId });
      },
    });
    this.requestUpdate();
    await this.badge.loadPlatforms();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.badge?.dispose();
  }

  private async onPress(platform: WalletPlatform): Promise<void> {
    // A badge goes through HID's web provisioning; its press must reach window.open synchronously.
    if (this.badge) return this.badge.press(platform);
    if (this.pass.pending) return;
    // A .pkpass on Windows or Linux is a file nobody can open: say where Apple Wallet is, point at the QR.
    const ua = this.userAgent ?? navigator.userAgent;
    if (platform === 'apple' && this.detected.platform === 'desktop' && !/Macintosh|Mac OS X/.test(ua)) {
      this.phase = 'apple-elsewhere';
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('[part="apple-elsewhere"]')?.focus();
      return;
    }
    this.phase = 'requesting';
    this.lastPlatform = platform;
    this.emit('pass-requested', { platform });
    const credentialId = this.effectiveCredentialId;
    const ticket = await this.pass.run(async (signal) => {
      const { data } = await this.keywayClient.requestPass(this.callContext(signal), { platform, credentialId });
      return data;
    });
    if (!ticket) {
      this.phase = this.pass.error ? 'error' : 'idle';
      if (this.pass.error) this.reportError(this.pass.error);
      return;
    }
    if ('apple_provisioning' in ticket) {
      // A badge pressed before its first status snapshot said so.
      this.phase = 'idle';
      this.badgeAsked = true;
      await this.openBadge();
      // Set by openBadge (TypeScript still holds the narrowing from the top of onPress).
      (this.badge as BadgeWallets | undefined)?.adoptAppleAnswer(ticket);
      return;
    }
    this.requested = { platform, deviceId: ticket.device_id };
    this.phase = 'opened';
    passNavigator.assign(ticket.url);
  }

  private onStatus(snapshot: LiveSnapshot): void {
    if (snapshot.credentialTypeId === HID_BADGE_TYPE && !this.badgeAsked) {
      this.badgeAsked = true;
      void this.openBadge();
    }
    this.credentialStatus = snapshot.status;
    this.credentialEnabled = snapshot.enabled;
    const active = snapshot.devices.filter((d) => d.status === 'active');
    this.inAWallet = active.length > 0;
    this.activeBefore ??= new Set(active.map((d) => d.id));
    const requested = this.requested;
    const credentialId = this.effectiveCredentialId;
    if (!credentialId || this.phase === 'added' || this.badge?.added || this.addedOnPhone) return;
    // On a computer showing the hand-off, a device of this credential turning active is the phone
    // that followed the link: the journey here is over too.
    const elsewhere = this.handoff && active.find((d) => !this.activeBefore?.has(d.id) && d.id !== requested?.deviceId);
    if (elsewhere) {
      this.addedOnPhone = true;
      const platform: WalletPlatform = elsewhere.platform === 'google' ? 'google' : 'apple';
      this.emit('pass-added', { platform, credentialId, deviceId: elsewhere.id });
      return;
    }
    if (!requested) return;
    const device = snapshot.devices.find((d) => d.id === requested.deviceId);
    if (device?.status === 'active') {
      this.phase = 'added';
      this.emit('pass-added', { platform: requested.platform, credentialId, deviceId: requested.deviceId });
    }
  }

  private renderButton(platform: WalletPlatform) {
    const { t } = this.l10n;
    const name = platform === 'apple' ? t.wallet.addApple : t.wallet.addGoogle;
    return html`<button
      part="${platform}-button"
      type="button"
      aria-label=${name}
      aria-disabled=${this.pass.pending || this.badge?.busy ? 'true' : 'false'}
      @click=${() => this.onPress(platform)}
    >
      <slot name="${platform}-badge"><span>${name}</span></slot>
    </button>`;
  }

  override render() {
    const { t } = this.l10n;
    // Before a session exists there is nothing to add: no button that could only answer 401.
    if (!this.effectiveToken) return html`<div part="base" dir=${this.l10n.dir} lang=${this.l10n.locale}></div>`;
    const { platform, inApp } = this.detected;
    // Google Wallet does not run on iPhone or iPad: there only Apple Wallet is offered.
    const preferred: WalletPlatform[] =
      platform === 'ios' ? ['apple'] : platform === 'android' ? ['google', 'apple'] : ['apple', 'google'];
    // A badge: only the wallets its template supports (none until the server said which).
    const badge = this.badge;
    const order = badge ? preferred.filter((p) => badge.platforms.includes(p)) : preferred;
    const added = this.phase === 'added' || !!badge?.added;
    const walletName = this.requested?.platform === 'google' ? t.wallet.googleWallet : t.wallet.appleWallet;
    // Buttons only where pressing them can work: not for a pass that is paused, turned off or removed.
    const unavailable =
      this.credentialStatus && UNAVAILABLE.has(this.credentialStatus)
        ? this.credentialStatus
        : this.credentialStatus && !this.credentialEnabled
          ? 'turned-off'
          : undefined;
    return html`<div part="base" dir=${this.l10n.dir} lang=${this.l10n.locale}>
      ${
        unavailable || !inApp
          ? nothing
          : html`<p part="in-app-guidance" role="note">${platform === 'android' ? t.wallet.inAppChrome : t.wallet.inAppSafari}</p>`
      }
      ${unavailable || added || this.addedOnPhone ? nothing : html`<div part="buttons" class="buttons">${order.map((p) => this.renderButton(p))}</div>`}
      <div part="status" role="status" aria-live="polite">
        ${
          unavailable
            ? html`<p part="unavailable" tabindex="-1" data-focus-target>${
                unavailable === 'suspended'
                  ? this.inAWallet
                    ? t.wallet.paused
                    : t.wallet.suspended
                  : unavailable === 'turned-off'
                    ? t.wallet.turnedOff
                    : t.wallet.removed
              }</p>`
            : this.addedOnPhone
              ? this.handoff?.renderAdded()
              : badge
                ? badge.render()
                : html`${this.phase === 'requesting' ? html`<p class="progress">${this.renderSpinner()} ${t.wallet.preparing}</p>` : nothing}
            ${this.phase === 'opened' ? html`<p tabindex="-1" data-focus-target>${t.wallet.opened}</p>` : nothing}
            ${this.phase === 'apple-elsewhere' ? html`<p part="apple-elsewhere" tabindex="-1" data-focus-target>${t.wallet.appleOnIphone}</p>` : nothing}
            ${this.phase === 'added' ? html`<p part="success" class="success" tabindex="-1" data-focus-target>${t.wallet.added(walletName)}</p>` : nothing}`
        }
      </div>
      ${unavailable || this.addedOnPhone ? nothing : this.renderAfterPress(order, platform, inApp)}
    </div>`;
  }

  /** What follows a press (try again, errors) and the hand-off; not shown for a suspended or removed pass. */
  private renderAfterPress(order: WalletPlatform[], platform: DevicePlatform, inApp: InAppBrowser | null) {
    const { t } = this.l10n;
    return html`${
      this.phase === 'opened'
        ? html`<p>${t.wallet.notOpened}</p>
            <button part="try-again-button" type="button" class="secondary" @click=${() => this.onPress(this.requested!.platform)}>
              ${t.common.tryAgain}
            </button>`
        : nothing
    }
      ${
        this.phase === 'error' && !this.badge
          ? this.renderError('pass-error', this.pass.error, () => void this.onPress(this.lastPlatform ?? order[0]))
          : nothing
      }
      ${platform === 'desktop' || inApp ? (this.handoff?.render(platform === 'desktop') ?? nothing) : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'add-to-wallet': AddToWallet;
  }
}
