import { html, nothing, type PropertyDeclarations } from 'lit';
import { toKeywayError } from '../../client/errors.js';
import type { ProvisioningGrant } from '../../client/types.js';
import { FormFieldController } from '../../controllers/form-field.js';
import { RequestController } from '../../controllers/request.js';
import { formatInvitationCode, invitationSymbols, isCompleteInvitationCode } from '../../internal/normalize.js';
import { KeywayElement } from '../../keyway-element.js';
import { componentStyles } from '../../styles/component.styles.js';
import { inviteRedeemStyles } from './invite-redeem.styles.js';
import { redeemMemory } from './redeem-memory.js';

/**
 * Redeems an invitation code (`XXX-XXX-XXX-XXX`) for a provisioning session.
 *
 * @tag invite-redeem
 * @summary One labelled code field, formatted as you type, submitted by button or Enter.
 *
 * @fires invite-redeemed - `{provisioningToken, expiresAt, credential}` once the code is accepted.
 * @fires keyway-error - `{code, message}` on any failure.
 * @fires token-expired - `{expiresAt}` 60 s before the session token lapses.
 *
 * @csspart base - The wrapper.
 * @csspart form - The form.
 * @csspart label - The field's label.
 * @csspart hint - The hint under the label.
 * @csspart input - The code field.
 * @csspart button - The submit button.
 * @csspart error - The error message next to the field.
 * @csspart retry-button - "Try again" after a network failure.
 * @csspart status - The live region announcing progress and success.
 * @csspart success - The success message.
 * @csspart spinner - The progress indicator.
 *
 * @cssprop --keyway-color-primary - Buttons and links.
 * @cssprop --keyway-color-on-primary - Text on buttons.
 * @cssprop --keyway-color-text - Body text.
 * @cssprop --keyway-color-text-muted - Hints.
 * @cssprop --keyway-color-surface - Field background.
 * @cssprop --keyway-color-border - Field border.
 * @cssprop --keyway-color-danger - Errors.
 * @cssprop --keyway-color-success - Success messages.
 * @cssprop --keyway-color-focus - Focus ring.
 * @cssprop --keyway-font-family - Font stack.
 * @cssprop --keyway-radius - Corner radius.
 * @cssprop --keyway-space - Base spacing.
 */
export class InviteRedeem extends KeywayElement {
  static override styles = [componentStyles, inviteRedeemStyles];

  /** Takes part in an enclosing `<form>`: its value is the code (`name` attribute), `required` works. */
  static formAssociated = true;

  static override shadowRootOptions: ShadowRootInit = { mode: 'open', delegatesFocus: true };

  static override properties: PropertyDeclarations = {
    code: {},
    codeParam: { type: Boolean, attribute: 'code-param' },
    required: { type: Boolean, reflect: true },
    symbols: { state: true },
    localError: { state: true },
  };

  /** A code to pre-fill (e.g. from a link). */
  declare code?: string;

  /** Read `#code=` (else `?code=`) from the address and remove it from the address bar. */
  codeParam = false;

  /** In a form: blocks submission until a code is entered. */
  required = false;

  private symbols = '';
  declare private localError?: string;

  constructor() {
    super();
    new FormFieldController(this, () => {
      const incomplete = this.l10n.t.invite.incomplete;
      return {
        value: this.symbols ? formatInvitationCode(this.symbols) : null,
        missing: this.required && !this.symbols ? incomplete : '',
        invalid: this.symbols && !isCompleteInvitationCode(this.symbols) ? incomplete : '',
        anchor: this.input,
      };
    });
  }

  formResetCallback(): void {
    this.symbols = invitationSymbols(this.getAttribute('code') ?? '');
    this.localError = undefined;
  }

  private readonly redeem = new RequestController<ProvisioningGrant>(this);

  private get input(): HTMLInputElement | undefined {
    return this.renderRoot?.querySelector<HTMLInputElement>('input') ?? undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.codeParam) this.takeCodeFromAddress();
  }

  override willUpdate(changed: Map<PropertyKey, unknown>): void {
    super.willUpdate(changed);
    if (changed.has('code') && this.code !== undefined) this.symbols = invitationSymbols(this.code);
  }

  /** Reads the code from the fragment first (never sent to servers), then the query, and erases it. */
  private takeCodeFromAddress(): void {
    const url = new URL(window.location.href);
    const fragment = new URLSearchParams(url.hash.replace(/^#/, ''));
    let found = fragment.get('code');
    if (found !== null) {
      fragment.delete('code');
      const rest = fragment.toString();
      url.hash = rest ? `#${rest}` : '';
    } else {
      found = url.searchParams.get('code');
      if (found !== null) url.searchParams.delete('code');
    }
    if (found === null) return;
    this.code = found;
    // The code is a secret: keep it out of history, bookmarks and screenshots of the address bar.
    window.history.replaceState(window.history.state, '', url.href.replace(/#$/, ''));
  }

  private onInput(event: InputEvent): void {
    const input = event.target as HTMLInputElement;
    const raw = input.value;
    const caret = input.selectionStart ?? raw.length;
    const before = invitationSymbols(raw.slice(0, caret)).length;
    this.symbols = invitationSymbols(raw);
    const formatted = formatInvitationCode(this.symbols);
    input.value = formatted;
    const position = before === 0 ? 0 : before + Math.floor((before - 1) / 3);
    input.setSelectionRange(position, position);
    this.localError = undefined;
  }

  private async onSubmit(event?: Event): Promise<void> {
    event?.preventDefault();
    if (this.redeem.pending || this.redeem.state === 'success') return;
    if (this.retryCountdown.running) return;
    if (!isCompleteInvitationCode(this.symbols)) {
      this.localError = this.l10n.t.invite.incomplete;
      this.input?.focus();
      return;
    }
    this.localError = undefined;
    const code = formatInvitationCode(this.symbols);
    const grant = await this.redeem.run(async (signal) => {
      const context = this.callContext(signal);
      const memory = await redeemMemory(context.apiBase, code);
      if (memory?.grant) return memory.grant;
      try {
        context.idempotencyKey = memory?.idempotencyKey;
        const { data } = await this.keywayClient.redeemInvitation(context, code);
        memory?.remember(data);
        return data;
      } catch (error) {
        // A definite refusal is not worth replaying (the next try asks afresh); a lost or busy answer is.
        const { status } = toKeywayError(error);
        if (status >= 400 && status < 500 && status !== 409 && status !== 429) memory?.forget();
        throw error;
      }
    });
    if (grant) {
      this.emit('invite-redeemed', {
        provisioningToken: grant.provisioning_token,
        expiresAt: grant.expires_at,
        credential: grant.credential,
      });
    } else if (this.redeem.error) {
      this.reportError(this.redeem.error);
      await this.updateComplete;
      this.input?.focus();
    }
  }

  override render() {
    const { t } = this.l10n;
    const busy = this.redeem.pending;
    const done = this.redeem.state === 'success';
    const error = this.localError ?? (this.redeem.state === 'error' ? this.redeem.error : undefined);
    const blocked = busy || this.retryCountdown.running;
    return html`<div part="base" dir=${this.l10n.dir} lang=${this.l10n.locale}>
      <div part="status" role="status" aria-live="polite">
        ${busy ? html`<span class="visually-hidden">${t.common.loading}</span>` : nothing}
        ${
          done
            ? html`<p part="success" class="success" tabindex="-1" data-focus-target>${t.invite.success(this.redeem.value?.person?.first_name)}</p>`
            : nothing
        }
      </div>
      ${
        done
          ? nothing
          : html`<form part="form" novalidate @submit=${this.onSubmit}>
            <div class="field">
              <label part="label" for="code">${t.invite.label}</label>
              <p part="hint" id="hint" class="hint">${this.isolated(t.invite.hint)}</p>
              <input
                part="input"
                id="code"
                name="invitation_code"
                type="text"
                dir="ltr"
                autocomplete="off"
                autocapitalize="characters"
                spellcheck="false"
                enterkeyhint="go"
                .value=${formatInvitationCode(this.symbols)}
                aria-describedby=${error ? 'hint code-error' : 'hint'}
                aria-invalid=${error ? 'true' : 'false'}
                @input=${this.onInput}
              />
              ${this.renderError('code-error', error, () => void this.onSubmit())}
            </div>
            <button part="button" type="submit" aria-disabled=${blocked ? 'true' : 'false'}>
              ${busy ? this.renderSpinner() : nothing}${t.invite.submit}
            </button>
          </form>`
      }
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'invite-redeem': InviteRedeem;
  }
}
