import { ContextConsumer } from '@lit/context';
import { html, LitElement, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import { type KeywayApiError, toKeywayError } from './client/errors.js';
import { FetchKeywayClient } from './client/fetch-client.js';
import type { KeywayCallContext, KeywayClient } from './client/keyway-client.js';
import { type KeywayConfig, keywayContext } from './context.js';
import { CountdownController } from './controllers/countdown.js';
import { LocalizeController } from './controllers/localize.js';
import { TokenExpiryController } from './controllers/token-expiry.js';
import { type KeywayEventDetail, type KeywayEventName, keywayEvent } from './events.js';

let defaultClient: KeywayClient | undefined;

/**
 * What every Keyway element shares: the configuration attributes (each falling back to an
 * ancestor `<keyway-provider>`), the client, localisation, error reporting and token expiry.
 *
 * The theme tokens every element reads (src/styles/tokens.styles.ts); the manifest lists them on
 * each element that extends this class.
 *
 * @cssprop --keyway-font-family - Font stack.
 * @cssprop --keyway-radius - Corner radius.
 * @cssprop --keyway-space - Base spacing.
 * @cssprop --keyway-color-text - Body text.
 * @cssprop --keyway-color-text-muted - Hints and secondary text.
 * @cssprop --keyway-color-surface - Field and panel background.
 * @cssprop --keyway-color-surface-alt - Secondary background (status badges, help panels).
 * @cssprop --keyway-color-border - Field and panel borders.
 * @cssprop --keyway-color-primary - Buttons and links.
 * @cssprop --keyway-color-on-primary - Text on buttons.
 * @cssprop --keyway-color-danger - Errors.
 * @cssprop --keyway-color-success - Success messages.
 * @cssprop --keyway-color-warning - Warnings (in-app browser advice, suspended).
 * @cssprop --keyway-color-info - Information (progress, pending).
 * @cssprop --keyway-color-neutral - Neutral states (expired, revoked).
 * @cssprop --keyway-color-focus - Focus ring.
 * @cssprop --keyway-motion-duration - Length of transitions and the spinner's turn (0 under reduced motion).
 */
export class KeywayElement extends LitElement {
  // Static declarations and a context controller rather than decorators: the decorator helpers
  // and their per-field calls cost about 1 KiB gz of the CDN entry's 20 KiB budget.
  static override properties: PropertyDeclarations = {
    apiBase: { attribute: 'api-base', reflect: true },
    publishableKey: { attribute: 'publishable-key' },
    token: {},
    tokenExpiresAt: { attribute: 'token-expires-at' },
    locale: { reflect: true },
    client: { attribute: false },
    config: { state: true },
  };

  /** The server's absolute origin (`https://…`); the element appends `/api/3/…`. Without one it sends nothing. */
  declare apiBase?: string;

  /** `pk_…` key for the redeem and verification endpoints. */
  declare publishableKey?: string;

  /** `cs_…` or `ps_…` session token for passes, hand-offs and status. */
  declare token?: string;

  /** When `token` lapses (ISO-8601); `token-expired` fires 60 s before. */
  declare tokenExpiresAt?: string;

  /** BCP-47 language (`en`, `de`, `ar`); otherwise the nearest `lang`. */
  declare locale?: string;

  /** The HTTP client; hand in a scripted one for stories and tests. */
  declare client?: KeywayClient;

  /** What an ancestor `<keyway-provider>` supplies; reactive, so `changed.has('config')` works. */
  declare protected config?: KeywayConfig;

  protected readonly l10n = new LocalizeController(this, () => this.locale ?? this.config?.locale);

  /** Counts down a server's Retry-After so the message says when to try again. */
  protected readonly retryCountdown = new CountdownController(this);

  constructor() {
    super();
    const consumer = new ContextConsumer(this, {
      context: keywayContext,
      subscribe: true,
      callback: (config) => {
        this.config = config;
      },
    });
    // Each element loads on its own: a <keyway-provider> defined after this element connected never
    // heard its request, so ask again once the provider is defined.
    if (!customElements.get('keyway-provider'))
      void customElements
        .whenDefined('keyway-provider')
        .then(() => this.isConnected && !this.config && consumer.hostConnected());
    new TokenExpiryController(
      this,
      () => ({ token: this.effectiveToken, expiresAt: this.effectiveTokenExpiresAt }),
      (expiresAt) => this.emit('token-expired', { expiresAt }),
    );
  }

  /** The focused control inside this element when an update began. */
  private focusedBeforeUpdate: Element | null = null;

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    super.willUpdate(changed);
    this.focusedBeforeUpdate = this.shadowRoot?.activeElement ?? null;
  }

  /**
   * A control that stops rendering while focused would drop focus to <body> (docs/elements.md): focus then
   * moves to the first `[data-focus-target]` rendered (a step's heading or the status text).
   */
  override updated(changed: Map<PropertyKey, unknown>): void {
    super.updated(changed);
    const lost = this.focusedBeforeUpdate;
    this.focusedBeforeUpdate = null;
    if (
      lost &&
      !lost.isConnected &&
      !this.shadowRoot?.activeElement &&
      (document.activeElement === document.body || document.activeElement === null)
    ) {
      this.renderRoot.querySelector<HTMLElement>('[data-focus-target]')?.focus();
    }
  }

  /** `updateComplete` also waits for a lazily loaded locale, so callers see the right words. */
  protected override async getUpdateComplete(): Promise<boolean> {
    await super.getUpdateComplete();
    await this.l10n.ready;
    return super.getUpdateComplete();
  }

  protected get effectiveToken(): string | undefined {
    return this.token || this.config?.token || undefined;
  }

  /** The credential a `ps_` token is for: the server mints them as `ps_<credential>_<secret>`. */
  protected get tokenCredentialId(): string | undefined {
    const m = /^ps_([A-Za-z0-9]+)_[A-Za-z0-9]+$/.exec(this.effectiveToken ?? '');
    return m ? `cred_${m[1]}` : undefined;
  }

  protected get effectiveTokenExpiresAt(): string | undefined {
    // An element's own token never borrows the provider's expiry.
    return this.token ? this.tokenExpiresAt : this.config?.tokenExpiresAt;
  }

  protected get keywayClient(): KeywayClient {
    return this.client ?? this.config?.client ?? (defaultClient ??= new FetchKeywayClient());
  }

  protected callContext(signal?: AbortSignal): KeywayCallContext {
    return {
      apiBase: this.apiBase ?? this.config?.apiBase ?? '',
      publishableKey: this.publishableKey ?? this.config?.publishableKey,
      token: this.effectiveToken,
      signal,
    };
  }

  protected emit<K extends KeywayEventName>(name: K, detail: KeywayEventDetail<K>): void {
    this.dispatchEvent(keywayEvent(name, detail));
  }

  private warnedMisconfigured = false;

  /** Reports a failure: `keyway-error`, the retry countdown, and `token-expired` on a lapsed token. */
  protected reportError(error: unknown): KeywayApiError {
    const failure = toKeywayError(error);
    if (failure.code === 'misconfigured' && !this.warnedMisconfigured) {
      // The person only reads "not set up"; the developer needs the attribute's name.
      this.warnedMisconfigured = true;
      console.warn(
        `<${this.localName}>: no usable api-base (the Keyway server's origin, e.g. api-base="https://keyway.example.com") on the element or an enclosing <keyway-provider>; no request was sent.`,
      );
    }
    if (failure.retryAfter !== null) this.retryCountdown.startSeconds(failure.retryAfter);
    else this.retryCountdown.stop();
    this.emit('keyway-error', { code: failure.code, message: failure.message });
    if (failure.code === 'unauthorized' && this.effectiveToken) {
      this.emit('token-expired', { expiresAt: this.effectiveTokenExpiresAt ?? null });
    }
    return failure;
  }

  /** The person-facing words for an error, with when to retry or attempts left. */
  protected errorText(error: KeywayApiError): string {
    const { t, fmt } = this.l10n;
    const base = t.errors[error.code] ?? (error.status >= 500 ? t.errors.server_error : t.errors.unknown);
    const extra: string[] = [];
    if (error.code === 'incorrect_code' && error.attemptsLeft !== null)
      extra.push(t.attemptsLeft(error.attemptsLeft, fmt));
    if ((error.code === 'rate_limited' || error.code === 'too_many_attempts') && error.retryAfter !== null) {
      extra.push(this.retryCountdown.running ? t.retryIn(this.retryCountdown.remaining, fmt) : t.retryNow);
    }
    return [base, ...extra].join(' ');
  }

  /** An error next to its field: `role="alert"` so it is announced, `id` for aria-describedby. */
  protected renderError(
    id: string,
    error: KeywayApiError | string | undefined,
    retry?: () => void,
  ): TemplateResult | typeof nothing {
    if (!error) return nothing;
    const text = typeof error === 'string' ? error : this.errorText(error);
    const canRetry =
      retry && typeof error !== 'string' && (error.code === 'network_error' || error.code === 'server_error');
    return html`<div class="error-block">
      <p id=${id} part="error" class="error" role="alert">
        <span class="visually-hidden">${this.l10n.t.common.errorPrefix}</span> ${text}
      </p>
      ${canRetry ? html`<button type="button" class="secondary" part="retry-button" @click=${retry}>${this.l10n.t.common.tryAgain}</button>` : nothing}
    </div>`;
  }

  /**
   * Renders a translated text whose numbers and codes stand in Unicode isolates (U+2066…U+2069) as
   * `<bdi dir="ltr">` runs, so "+44 7400 123404" reads left to right and wraps as one unit.
   */
  protected isolated(text: string): TemplateResult {
    const runs = text.split(/\u2066([^\u2069]*)\u2069/);
    return html`${runs.map((run, i) => (i % 2 ? html`<bdi dir="ltr">${run}</bdi>` : run))}`;
  }

  protected renderSpinner(): TemplateResult {
    return html`<span class="spinner" part="spinner" aria-hidden="true"></span>`;
  }
}
