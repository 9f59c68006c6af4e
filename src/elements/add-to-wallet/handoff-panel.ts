// Loaded lazily by <add-to-wallet>: only computers and app web views show a hand-off, so its
// code stays out of the CDN entry.
import { html, nothing, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { KeywayApiError } from '../../client/errors.js';
import type { KeywayCallContext, KeywayClient } from '../../client/keyway-client.js';
import type { Handoff } from '../../client/types.js';
import { CountdownController } from '../../controllers/countdown.js';
import type { LocalizeController } from '../../controllers/localize.js';
import { RequestController } from '../../controllers/request.js';
import { handoffStrings } from '../../i18n/handoff.js';
import { qrManager } from '../../seams/qr.js';

/** What the panel borrows from its <add-to-wallet>. */
export interface HandoffHost {
  host: ReactiveControllerHost;
  l10n: LocalizeController;
  client(): KeywayClient;
  context(signal: AbortSignal): KeywayCallContext;
  reportError(error: unknown): KeywayApiError;
  renderError(id: string, error: KeywayApiError | undefined, retry: () => void): TemplateResult | typeof nothing;
  renderSpinner(): TemplateResult;
}

/** The "continue on your phone" panel: a hand-off link from POST /api/3/handoffs, its QR code and a copy button. */
export class HandoffPanel {
  private readonly request: RequestController<Handoff>;
  private readonly countdown: CountdownController;
  private qrSrc?: string;
  private error?: KeywayApiError;
  private copyMessage = '';

  constructor(private readonly owner: HandoffHost) {
    this.request = new RequestController<Handoff>(owner.host);
    this.countdown = new CountdownController(owner.host);
  }

  /** Asks for a new hand-off link (and, on a computer, draws its QR code). */
  readonly create = async (desktop: boolean): Promise<void> => {
    const { owner } = this;
    this.error = undefined;
    this.qrSrc = undefined;
    this.copyMessage = '';
    const created = await this.request.run(async (signal) => {
      const { data, serverDate } = await owner.client().createHandoff(owner.context(signal));
      this.countdown.start(data.expires_at, serverDate);
      return data;
    });
    if (!created) {
      if (this.request.error) this.error = owner.reportError(this.request.error);
      owner.host.requestUpdate();
      return;
    }
    if (desktop) {
      try {
        this.qrSrc = await qrManager.render(created.url);
      } catch {
        // Without a QR image the link and copy button still hand the flow over.
        this.qrSrc = undefined;
      }
    }
    owner.host.requestUpdate();
  };

  private readonly copy = async (): Promise<void> => {
    const url = this.request.value?.url;
    if (!url) return;
    const words = handoffStrings[this.owner.l10n.locale];
    try {
      await navigator.clipboard.writeText(url);
      this.copyMessage = words.copied;
    } catch {
      this.copyMessage = words.copyFailed;
    }
    this.owner.host.requestUpdate();
  };

  /** The hand-off is over: a phone added the pass (the element's status text, focus target when the QR goes). */
  renderAdded(): TemplateResult {
    const t = handoffStrings[this.owner.l10n.locale];
    return html`<p part="success" class="success" tabindex="-1" data-focus-target>
      <strong>${t.addedOnPhone}</strong> ${t.addedOnPhoneHint}
    </p>`;
  }

  render(desktop: boolean): TemplateResult | typeof nothing {
    const { owner } = this;
    const { fmt } = owner.l10n;
    const t = handoffStrings[owner.l10n.locale];
    const value = this.request.value;
    const expired = value && !this.countdown.running;
    if (!value && !this.request.pending && !this.error) return nothing;
    const again = () => void this.create(desktop);
    return html`<section part="handoff" aria-labelledby="handoff-heading">
      ${
        desktop
          ? html`<h2 id="handoff-heading">${t.desktopHeading}</h2><p class="hint">${t.desktopHint}</p>`
          : html`<span id="handoff-heading" class="visually-hidden">${t.copyLink}</span>`
      }
      ${this.request.pending ? owner.renderSpinner() : nothing}
      ${owner.renderError('handoff-error', this.error, again)}
      ${
        value && !expired
          ? html`${desktop && this.qrSrc ? html`<div part="qr"><img src=${this.qrSrc} alt=${t.qrAlt} /></div>` : nothing}
            <div class="link-row">
              <a part="handoff-link" href=${value.url}>${value.url}</a>
              <button part="copy-button" type="button" class="secondary" @click=${this.copy}>${t.copyLink}</button>
            </div>
            <p class="hint">${t.handoffExpires(this.countdown.remaining, fmt)}</p>
            <p role="status" aria-live="polite">${this.copyMessage}</p>`
          : nothing
      }
      ${
        expired
          ? html`<p>${t.handoffExpired}</p>
            <button type="button" class="secondary" part="new-code-button" @click=${again}>${t.newCode}</button>`
          : nothing
      }
    </section>`;
  }
}
