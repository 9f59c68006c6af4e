import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { KeywayElement } from '../../internal/keyway-element.js';
import { componentStyles } from '../../styles/component.styles.js';
import { addToWalletStyles } from './add-to-wallet.styles.js';
import { RequestController } from '../../controllers/request.js';
import { CountdownController } from '../../controllers/countdown.js';
import { LiveStatusController, type LiveSnapshot } from '../../controllers/live-status.js';
import type { Handoff, PassTicket, WalletPlatform } from '../../client/types.js';
import type { KeywayApiError } from '../../client/errors.js';
import { detectPlatform, type DevicePlatform, type InAppBrowser } from '../../internal/platform.js';
import { qrManager } from '../../internal/qr-manager.js';
import { passNavigator } from '../../internal/navigation.js';

const PLATFORMS: readonly DevicePlatform[] = ['ios', 'android', 'desktop'];

type Phase = 'idle' | 'requesting' | 'opened' | 'added' | 'error';

/**
 * Offers Apple Wallet and Google Wallet for a credential; on a computer, a QR code hands the
 * flow to a phone.
 *
 * @tag add-to-wallet
 * @summary One press = one pass request, then the wallet opens in the same tab.
 *
 * @fires pass-requested - `{platform}` when a wallet button is pressed.
 * @fires pass-added - `{platform, credentialId, deviceId}` when the requested device turns `active`.
 * @fires keyway-error - `{code, message}` on any failure.
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
 * @csspart success - The "your pass is in …" message.
 * @csspart try-again-button - Requests the pass again when nothing opened.
 * @csspart in-app-guidance - "Open in Safari/Chrome" advice inside app web views.
 * @csspart handoff - The desktop "continue on your phone" panel.
 * @csspart qr - The box around the QR code image.
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

  /** The credential; optional with a `ps_` token, which names its own. */
  @property({ attribute: 'credential-id' }) credentialId?: string;

  /** `ios`, `android` or `desktop`; overrides detection from the user agent. */
  @property() platform?: DevicePlatform;

  /** The user agent to detect from; defaults to the browser's (settable for previews). */
  @property({ attribute: false }) userAgent?: string;

  @state() private phase: Phase = 'idle';
  @state() private requested?: { platform: WalletPlatform; deviceId: string };
  @state() private copyMessage = '';
  @state() private qrSrc?: string;
  @state() private handoffError?: KeywayApiError;

  private readonly pass = new RequestController<PassTicket>(this);
  private readonly handoff = new RequestController<Handoff>(this);
  private readonly handoffCountdown = new CountdownController(this);
  private handoffAsked = false;
  private lastPlatform?: WalletPlatform;
  private readonly watch = new LiveStatusController(this, {
    client: () => this.keywayClient,
    context: () => this.callContext(),
    credentialId: () => this.effectiveCredentialId,
    onSnapshot: (snapshot) => this.onStatus(snapshot),
  });

  private get effectiveCredentialId(): string | undefined {
    return this.credentialId || this.config?.credentialId || undefined;
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
      void this.createHandoff();
    }
    if (changed.has('token') || changed.has('config')) {
      if (this.requested && this.phase === 'opened') this.watch.start();
    }
  }

  private async createHandoff(): Promise<void> {
    this.handoffError = undefined;
    this.qrSrc = undefined;
    const created = await this.handoff.run(async (signal) => {
      const { data, serverDate } = await this.keywayClient.createHandoff(this.callContext(signal));
      this.handoffCountdown.start(data.expires_at, serverDate);
      return data;
    });
    if (!created) {
      if (this.handoff.error) this.handoffError = this.reportError(this.handoff.error);
      return;
    }
    if (this.detected.platform === 'desktop') {
      try {
        this.qrSrc = await qrManager.render(created.url);
      } catch {
        // Without a QR image the link and copy button still hand the flow over.
        this.qrSrc = undefined;
      }
    }
  }

  private async onPress(platform: WalletPlatform): Promise<void> {
    if (this.pass.pending) return;
    this.phase = 'requesting';
    this.lastPlatform = platform;
    this.watch.stop();
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
    this.requested = { platform, deviceId: ticket.device_id };
    this.phase = 'opened';
    if (this.effectiveCredentialId) this.watch.start();
    passNavigator.assign(ticket.url);
  }

  private onStatus(snapshot: LiveSnapshot): void {
    const requested = this.requested;
    const credentialId = this.effectiveCredentialId;
    if (!requested || !credentialId || this.phase === 'added') return;
    const device = snapshot.devices.find((d) => d.id === requested.deviceId);
    if (device?.status === 'active') {
      this.phase = 'added';
      this.watch.stop();
      this.emit('pass-added', { platform: requested.platform, credentialId, deviceId: requested.deviceId });
    }
  }

  private async onCopy(): Promise<void> {
    const url = this.handoff.value?.url;
    if (!url) return;
    try {
      await navigator.clipboard.writeText(url);
      this.copyMessage = this.l10n.t.wallet.copied;
    } catch {
      this.copyMessage = this.l10n.t.wallet.copyFailed;
    }
  }

  private renderButton(platform: WalletPlatform) {
    const { t } = this.l10n;
    const name = platform === 'apple' ? t.wallet.addApple : t.wallet.addGoogle;
    return html`<button
      part="${platform}-button"
      type="button"
      aria-label=${name}
      aria-disabled=${this.pass.pending ? 'true' : 'false'}
      @click=${() => this.onPress(platform)}
    >
      <slot name="${platform}-badge"><span>${name}</span></slot>
    </button>`;
  }

  private renderHandoff(desktop: boolean) {
    const { t, fmt } = this.l10n;
    const value = this.handoff.value;
    const expired = value && !this.handoffCountdown.running;
    if (!value && !this.handoff.pending && !this.handoffError) return nothing;
    return html`<section part="handoff" aria-labelledby="handoff-heading">
      ${desktop ? html`<h2 id="handoff-heading">${t.wallet.desktopHeading}</h2><p class="hint">${t.wallet.desktopHint}</p>` : html`<span id="handoff-heading" class="visually-hidden">${t.wallet.copyLink}</span>`}
      ${this.handoff.pending ? this.renderSpinner() : nothing}
      ${this.renderError('handoff-error', this.handoffError, () => void this.createHandoff())}
      ${value && !expired
        ? html`${desktop && this.qrSrc ? html`<div part="qr"><img src=${this.qrSrc} alt=${t.wallet.qrAlt} /></div>` : nothing}
            <div class="link-row">
              <a part="handoff-link" href=${value.url}>${value.url}</a>
              <button part="copy-button" type="button" class="secondary" @click=${this.onCopy}>${t.wallet.copyLink}</button>
            </div>
            <p class="hint">${t.wallet.handoffExpires(this.handoffCountdown.remaining, fmt)}</p>
            <p role="status" aria-live="polite">${this.copyMessage}</p>`
        : nothing}
      ${expired
        ? html`<p>${t.wallet.handoffExpired}</p>
            <button type="button" class="secondary" part="new-code-button" @click=${this.createHandoff}>${t.wallet.newCode}</button>`
        : nothing}
    </section>`;
  }

  override render() {
    const { t } = this.l10n;
    const { platform, inApp } = this.detected;
    const order: WalletPlatform[] = platform === 'android' ? ['google', 'apple'] : ['apple', 'google'];
    const walletName = this.requested?.platform === 'google' ? t.wallet.googleWallet : t.wallet.appleWallet;
    return html`<div part="base" dir=${this.l10n.dir} lang=${this.l10n.locale}>
      ${inApp
        ? html`<p part="in-app-guidance" role="note">${platform === 'android' ? t.wallet.inAppChrome : t.wallet.inAppSafari}</p>`
        : nothing}
      ${this.phase === 'added' ? nothing : html`<div part="buttons" class="buttons">${order.map((p) => this.renderButton(p))}</div>`}
      <div part="status" role="status" aria-live="polite">
        ${this.phase === 'requesting' ? html`<p class="progress">${this.renderSpinner()} ${t.wallet.preparing}</p>` : nothing}
        ${this.phase === 'opened' ? html`<p>${t.wallet.opened}</p>` : nothing}
        ${this.phase === 'added' ? html`<p part="success" class="success">${t.wallet.added(walletName)}</p>` : nothing}
      </div>
      ${this.phase === 'opened'
        ? html`<p>${t.wallet.notOpened}</p>
            <button part="try-again-button" type="button" class="secondary" @click=${() => this.onPress(this.requested!.platform)}>
              ${t.common.tryAgain}
            </button>`
        : nothing}
      ${this.phase === 'error'
        ? this.renderError('pass-error', this.pass.error, () => void this.onPress(this.lastPlatform ?? order[0]))
        : nothing}
      ${platform === 'desktop' || inApp ? this.renderHandoff(platform === 'desktop') : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'add-to-wallet': AddToWallet;
  }
}
