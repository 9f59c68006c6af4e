import { html, nothing, type PropertyDeclarations, svg } from 'lit';
import type { KeywayApiError } from '../../client/errors.js';
import type { CredentialStatus } from '../../client/types.js';
import { type LiveSnapshot, LiveStatusController } from '../../controllers/live-status.js';
import type { HidTroubleshooting } from '../../i18n/hid-troubleshooting.js';
import type { Troubleshooting } from '../../i18n/troubleshooting.js';
import { KeywayElement } from '../../keyway-element.js';
import { componentStyles } from '../../styles/component.styles.js';
import { credentialStatusStyles } from './credential-status.styles.js';

/** HID Mobile Access (docs/hid.md): the HID app provisions it, so its help differs and covers `active` too. */
const HID_MOBILE = 8;

import type { LocaleCode } from '../../i18n/index.js';
import { statusStrings } from '../../i18n/status.js';

/** Statuses that are over: their own sentence says so, whatever `enabled` says. */
const ENDED = new Set<CredentialStatus>(['revoking', 'revoked', 'expired']);

/** One icon per status, so colour is never the only signal. */
const ICONS: Record<CredentialStatus, ReturnType<typeof svg>> = {
  invited: svg`<path d="M3 6h18v12H3z M3 6l9 7 9-7" />`,
  provisioning: svg`<circle cx="12" cy="12" r="9" /><path d="M12 7v5l3 3" />`,
  active: svg`<circle cx="12" cy="12" r="9" /><path d="M8 12.5l3 3 5-6" />`,
  suspended: svg`<circle cx="12" cy="12" r="9" /><path d="M10 8v8 M14 8v8" />`,
  revoking: svg`<circle cx="12" cy="12" r="9" /><path d="M8 12h8" />`,
  revoked: svg`<circle cx="12" cy="12" r="9" /><path d="M9 9l6 6 M15 9l-6 6" />`,
  expired: svg`<circle cx="12" cy="12" r="9" /><path d="M12 7v6 M12 16v1" />`,
};

/**
 * Shows where a credential stands, live.
 *
 * @tag credential-status
 * @summary Status in words, colour and icon, with the time of the last change and help when stuck.
 *
 * @fires status-changed - `{oldStatus, newStatus, at}` for real changes (not the first snapshot).
 * @fires keyway-error - `{code, message}` on any failure.
 * @fires token-expired - `{expiresAt}` 60 s before the session token lapses.
 *
 * @csspart base - The wrapper (carries `data-status`).
 * @csspart badge - Icon and status words.
 * @csspart icon - The status icon.
 * @csspart label - The status words beside the icon.
 * @csspart description - What the status means.
 * @csspart updated - Relative time of the last change.
 * @csspart help - Troubleshooting for `invited` and `provisioning` (and `active` for HID Mobile Access, type 8).
 * @csspart error - Error messages.
 * @csspart retry-button - "Try again" after a network failure.
 * @csspart spinner - The loading indicator.
 *
 * @cssprop --keyway-status-active - Colour of `active`.
 * @cssprop --keyway-status-pending - Colour of `invited` and `provisioning`.
 * @cssprop --keyway-status-suspended - Colour of `suspended`.
 * @cssprop --keyway-status-revoked - Colour of `revoking` and `revoked`.
 * @cssprop --keyway-status-expired - Colour of `expired`.
 * @cssprop --keyway-color-text - Body text.
 * @cssprop --keyway-color-focus - Focus ring.
 * @cssprop --keyway-font-family - Font stack.
 */
export class CredentialStatusElement extends KeywayElement {
  static override styles = [componentStyles, credentialStatusStyles];

  static override properties: PropertyDeclarations = {
    credentialId: { attribute: 'credential-id' },
    compact: { type: Boolean, reflect: true },
    status: { reflect: true },
    pollInterval: { attribute: false },
    enabled: { state: true },
    updatedAt: { state: true },
    error: { state: true },
  };

  /** The credential; optional with a `ps_` token, which names its own. */
  declare credentialId?: string;

  /** Only the badge: no description, help or time. */
  compact = false;

  /** The current status. Reflected; may be set to show a status without a server. */
  declare status?: CredentialStatus;

  /** How often to poll while the live stream is unavailable (ms). */
  pollInterval = 5000;

  private enabled = true;
  declare private updatedAt?: string;
  declare private error?: KeywayApiError;

  private help?: Record<LocaleCode, Troubleshooting>;
  private hidHelp?: Record<LocaleCode, HidTroubleshooting>;
  private helpLoading?: Promise<void>;
  private credentialTypeId?: number;
  private hadSnapshot = false;
  private clock?: ReturnType<typeof setInterval>;
  private watching = '';

  private readonly live = new LiveStatusController(this, {
    client: () => this.keywayClient,
    context: () => this.callContext(),
    credentialId: () => this.effectiveCredentialId,
    onSnapshot: (snapshot) => this.onSnapshot(snapshot),
    onError: (error) => {
      this.error = this.reportError(error);
    },
    pollInterval: () => this.pollInterval,
  });

  private get effectiveCredentialId(): string | undefined {
    return this.credentialId || this.config?.credentialId || this.tokenCredentialId;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Re-render now and then so "5 minutes ago" stays true.
    this.clock = setInterval(() => this.requestUpdate(), 30_000);
    this.watching = '';
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.clock);
  }

  /** `updateComplete` also waits for the troubleshooting help once it is being loaded. */
  protected override async getUpdateComplete(): Promise<boolean> {
    await super.getUpdateComplete();
    if (!this.helpLoading) return true;
    await this.helpLoading;
    return super.getUpdateComplete();
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    super.willUpdate(changed);
    const hid = this.credentialTypeId === HID_MOBILE;
    const stuck = this.status === 'invited' || this.status === 'provisioning' || (hid && this.status === 'active');
    if (stuck && !this.compact && !(hid ? this.hidHelp : this.help)) {
      const loading = hid
        ? import('../../i18n/hid-troubleshooting.js').then((module) => {
            this.hidHelp = module.hidTroubleshooting;
          })
        : import('../../i18n/troubleshooting.js').then((module) => {
            this.help = module.troubleshooting;
          });
      this.helpLoading ??= loading.then(
        () => {
          this.helpLoading = undefined;
          this.requestUpdate();
        },
        () => {
          // Offline: the disclosure stays without tips; the next render tries again.
          this.helpLoading = undefined;
        },
      );
    }
  }

  override updated(changed: Map<PropertyKey, unknown>): void {
    super.updated(changed);
    const id = this.effectiveCredentialId;
    const token = this.effectiveToken;
    const key = id && token ? `${id}|${token}|${this.apiBase ?? this.config?.apiBase ?? ''}` : '';
    // A new token (after token-expired) or credential restarts the live connection.
    if (key !== this.watching) {
      this.watching = key;
      this.live.stop();
      if (key) {
        this.error = undefined;
        this.live.start();
      }
    }
  }

  private onSnapshot(snapshot: LiveSnapshot): void {
    const old = this.status;
    this.error = undefined;
    this.enabled = snapshot.enabled;
    this.updatedAt = snapshot.updatedAt;
    if (snapshot.credentialTypeId !== undefined) this.credentialTypeId = snapshot.credentialTypeId;
    this.status = snapshot.status;
    if (this.hadSnapshot && old && old !== snapshot.status) {
      this.emit('status-changed', { oldStatus: old, newStatus: snapshot.status, at: snapshot.updatedAt });
    }
    this.hadSnapshot = true;
  }

  private retry(): void {
    this.error = undefined;
    this.watching = '';
    this.requestUpdate();
  }

  private renderHelp(status: CredentialStatus) {
    const hid = this.credentialTypeId === HID_MOBILE;
    if (
      this.compact ||
      !this.enabled ||
      (status !== 'invited' && status !== 'provisioning' && !(hid && status === 'active'))
    )
      return nothing;
    const help = hid ? this.hidHelp?.[this.l10n.locale] : this.help?.[this.l10n.locale];
    const tips =
      (status === 'active'
        ? this.hidHelp?.[this.l10n.locale].active
        : status === 'invited'
          ? help?.invited
          : help?.provisioning) ?? [];
    return html`<details part="help">
      <summary>${statusStrings[this.l10n.locale].helpSummary}</summary>
      <div>${tips.length ? html`<ul>${tips.map((tip) => html`<li>${tip}</li>`)}</ul>` : nothing}</div>
    </details>`;
  }

  override render() {
    const { t } = this.l10n;
    const status = this.status;
    const waiting = !status && !this.error && !!this.effectiveCredentialId;
    const updated = this.updatedAt ? new Date(this.updatedAt) : undefined;
    return html`<div part="base" dir=${this.l10n.dir} lang=${this.l10n.locale} data-status=${status ?? 'unknown'}>
      <div role="status" aria-live="polite" aria-atomic="true">
        ${
          status
            ? html`<p part="badge" class="badge">
              <svg part="icon" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${ICONS[status]}</svg>
              <span class="visually-hidden">${statusStrings[this.l10n.locale].label}:</span>
              <span part="label">${statusStrings[this.l10n.locale].names[status]}</span>
            </p>`
            : nothing
        }
        ${waiting ? html`<p>${this.renderSpinner()}<span class="visually-hidden">${t.common.loading}</span></p>` : nothing}
      </div>
      ${
        // One headline (the badge) and one sentence: turned off says so instead of "being set up".
        status && !this.compact
          ? html`<p part="description">${!this.enabled && status !== 'suspended' && !ENDED.has(status) ? statusStrings[this.l10n.locale].disabled : statusStrings[this.l10n.locale].descriptions[status]}</p>`
          : nothing
      }
      ${
        updated && !Number.isNaN(updated.getTime()) && !this.compact
          ? html`<p part="updated" class="hint">
            <time datetime=${updated.toISOString()}>${statusStrings[this.l10n.locale].updated(this.l10n.relativeTime(updated))}</time>
          </p>`
          : nothing
      }
      ${status ? this.renderHelp(status) : nothing}
      ${this.live.mode === 'reconnecting' && !this.compact ? html`<p class="hint">${statusStrings[this.l10n.locale].reconnecting}</p>` : nothing}
      ${this.renderError('status-error', this.error, () => this.retry())}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'credential-status': CredentialStatusElement;
  }
}
