import { html, nothing, type PropertyDeclarations } from 'lit';
import type { KeywayApiError } from '../../client/errors.js';
import type { ProvisioningGrant, VerificationStarted } from '../../client/types.js';
import { CountdownController } from '../../controllers/countdown.js';
import { FormFieldController } from '../../controllers/form-field.js';
import { RequestController } from '../../controllers/request.js';
import { phoneHintStrings } from '../../i18n/phone.js';
import { extractOtp, toAsciiDigits } from '../../internal/normalize.js';
import { KeywayElement } from '../../keyway-element.js';
import { type CountryOption, phoneUtilManager } from '../../seams/phone.js';
import { webOtp } from '../../seams/web-otp.js';
import { componentStyles } from '../../styles/component.styles.js';
import { smsOtpVerifyStyles } from './sms-otp-verify.styles.js';

export type OtpStep = 'phone' | 'code' | 'done';

/**
 * The country of a language named without a region (docs/elements.md: de → DE). English and Arabic are at
 * home in many countries: Keyway's copy has always meant GB and AE; others follow CLDR's likely region.
 */
function languageCountry(tag: string): string {
  const language = tag.split(/[-_]/)[0]!.toLowerCase();
  if (language === 'en') return 'GB';
  if (language === 'ar') return 'AE';
  try {
    return new Intl.Locale(tag).maximize().region ?? 'GB';
  } catch {
    return 'GB';
  }
}

/** Errors after which the current code can never succeed; the way forward is a new code. */
const DEAD_CODE = new Set(['too_many_attempts', 'verification_expired']);

/**
 * Confirms a mobile number with a texted security code (the GOV.UK "confirm a phone number"
 * pattern) and returns a provisioning session.
 *
 * @tag sms-otp-verify
 * @summary Phone step, then one code field with Continue, resend and "Not received a text message?".
 *
 * @fires otp-sent - `{verificationId, expiresAt, resendAfter}` when a code was sent (or resent).
 * @fires otp-verified - `{provisioningToken, expiresAt, credential}` when the code is right.
 * @fires keyway-error - `{code, message}` on any failure.
 * @fires token-expired - `{expiresAt}` 60 s before the session token lapses.
 *
 * @csspart base - The wrapper.
 * @csspart form - The current step's form.
 * @csspart heading - The step's heading.
 * @csspart country-button - The number's prefix (`+44`): opens and closes the country picker.
 * @csspart country-picker - The country picker under the number, hidden until its prefix is pressed.
 * @csspart country-search - The field inside the picker that filters the country list.
 * @csspart country-select - The country list inside the picker.
 * @csspart phone-input - The mobile number field.
 * @csspart code-input - The security code field.
 * @csspart label - Field labels.
 * @csspart hint - Hints under labels.
 * @csspart example - The example number for the chosen country (also a `hint`).
 * @csspart button - The step's Continue / Send code button.
 * @csspart resend-button - "Send a new code".
 * @csspart change-number-button - "Change mobile number".
 * @csspart start-again-button - The way forward after a lockout or expiry.
 * @csspart help - The "Not received a text message?" disclosure.
 * @csspart countdown - The resend countdown.
 * @csspart error - Error messages next to their field.
 * @csspart retry-button - "Try again" after a network failure.
 * @csspart switch-country-button - Switches the country when a number looks like another country's ("Use +61 (Australia)").
 * @csspart status - The live region for progress and success.
 * @csspart success - The confirmation message.
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
export class SmsOtpVerify extends KeywayElement {
  static override styles = [componentStyles, smsOtpVerifyStyles];

  /** Takes part in an enclosing `<form>`: its value is the confirmed number (E.164), `required` works. */
  static formAssociated = true;

  static override shadowRootOptions: ShadowRootInit = { mode: 'open', delegatesFocus: true };

  static override properties: PropertyDeclarations = {
    country: {},
    step: { reflect: true },
    required: { type: Boolean, reflect: true },
    phone: { state: true },
    countryFilter: { state: true },
    selectedCountry: { state: true },
    pickerOpen: { state: true },
    phoneError: { state: true },
    suggestedCountry: { state: true },
    code: { state: true },
    codeError: { state: true },
    resendError: { state: true },
    verification: { state: true },
    sentTo: { state: true },
    phoneE164: { state: true },
    codeDead: { state: true },
    announcement: { state: true },
    stepAnnouncement: { state: true },
  };

  /**
   * ISO-3166 country preselected for national numbers (e.g. `GB`): set it to the publishable key's
   * `default_country`. Without it: the region of the locale (`de-AT` → AT), else the language's own
   * country (`de` → DE).
   */
  declare country?: string;

  /** Where the person is: `phone`, `code` or `done`. Reflected. */
  step: OtpStep = 'phone';

  /** In a form: blocks submission until the number is confirmed. */
  required = false;

  constructor() {
    super();
    new FormFieldController(this, () => {
      const { otp } = this.l10n.t;
      const onCode = this.step === 'code';
      return {
        // Only a confirmed number is a value; what was typed before the code is not.
        value: this.step === 'done' ? this.phoneE164 : null,
        missing: this.required && this.step !== 'done' ? (onCode ? otp.codeRequired : otp.phoneRequired) : '',
        invalid: '',
        anchor: onCode ? this.codeInput : this.phoneInput,
      };
    });
  }

  private phone = '';
  private countryFilter = '';
  declare private selectedCountry?: string;
  /** The country picker under the number (search and list): closed until its prefix is pressed. */
  private pickerOpen = false;
  /** The list was last touched by a pointer: its change is a choice made, so the picker closes. */
  private pickedByPointer = false;
  declare private phoneError?: KeywayApiError | string;
  /** A national number that fits another country: the hint offers to switch to it. */
  declare private suggestedCountry?: CountryOption;
  private code = '';
  declare private codeError?: KeywayApiError | string;
  declare private resendError?: KeywayApiError;
  declare private verification?: VerificationStarted;
  /** How the number the code went to is shown ("+44 7700 900982"). */
  private sentTo = '';
  private phoneE164 = '';
  private codeDead: 'locked' | 'expired' | null = null;
  private announcement = '';
  /** Read out when the code step appears: where the code went and how long it lasts. */
  private stepAnnouncement = '';

  private readonly sending = new RequestController<VerificationStarted>(this);
  private readonly checking = new RequestController<ProvisioningGrant>(this);
  private readonly resending = new RequestController<VerificationStarted>(this);
  private readonly resendCountdown = new CountdownController(this);
  private readonly expiryCountdown = new CountdownController(this, () => {
    if (this.step === 'code' && !this.codeDead) this.codeDead = 'expired';
  });
  private webOtpAbort?: AbortController;
  private shownObserver?: ResizeObserver;

  private get phoneInput(): HTMLInputElement | undefined {
    return this.renderRoot?.querySelector<HTMLInputElement>('#phone') ?? undefined;
  }

  private get countryButton(): HTMLButtonElement | undefined {
    return this.renderRoot?.querySelector<HTMLButtonElement>('[part~="country-button"]') ?? undefined;
  }

  private get codeInput(): HTMLInputElement | undefined {
    return this.renderRoot?.querySelector<HTMLInputElement>('#code') ?? undefined;
  }

  private get activeCountry(): string {
    const tag = this.l10n.tag;
    const region = tag.split(/[-_]/).find((subtag, i) => i > 0 && /^[A-Za-z]{2}$/.test(subtag));
    return (this.selectedCountry ?? this.country ?? region ?? languageCountry(tag)).toUpperCase();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.step !== 'phone') return;
    // The chunk loads once the phone step is on screen (a page that shows it only on request never
    // pays for it) while the person reads it; failure falls back to server validation.
    const load = () =>
      void phoneUtilManager.load().then(
        () => this.requestUpdate(),
        () => undefined,
      );
    if (typeof ResizeObserver === 'undefined') {
      load();
      return;
    }
    this.shownObserver = new ResizeObserver((entries) => {
      if (!entries.some((e) => e.contentRect.width > 0 || e.contentRect.height > 0)) return;
      this.shownObserver?.disconnect();
      load();
    });
    this.shownObserver.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.shownObserver?.disconnect();
    this.webOtpAbort?.abort();
  }

  override updated(changed: Map<PropertyKey, unknown>): void {
    super.updated(changed);
    if (changed.has('step') && this.step !== 'code') this.webOtpAbort?.abort();
  }

  // ---- phone step -------------------------------------------------------------------------

  private onPhoneInput(event: InputEvent): void {
    const input = event.target as HTMLInputElement;
    const ascii = toAsciiDigits(input.value);
    const util = phoneUtilManager.util;
    const atEnd = (input.selectionStart ?? ascii.length) >= input.value.length;
    // Reformat only when typing at the end, so editing in the middle keeps the caret put.
    this.phone =
      util && atEnd && event.inputType !== 'deleteContentBackward'
        ? util.formatAsYouType(ascii, this.activeCountry)
        : ascii;
    if (input.value !== this.phone) input.value = this.phone;
    this.phoneError = undefined;
    this.suggestedCountry = undefined;
  }

  private onCountryChange(event: Event): void {
    this.selectedCountry = (event.target as HTMLSelectElement).value;
    this.suggestedCountry = undefined;
    // A tap or click picks; arrow keys only move (Chromium fires change on each), Enter picks.
    if (this.pickedByPointer) void this.closePicker(this.phoneInput);
  }

  private onPickerPointer(): void {
    this.pickedByPointer = true;
  }

  /**
   * Safari and Firefox do not focus a pressed button, so pressing the prefix while the picker is open
   * would close it on focusout and reopen it on click: the press keeps focus where it is instead.
   */
  private keepFocusOnPress(event: MouseEvent): void {
    if (this.pickerOpen) event.preventDefault();
  }

  /** The number's prefix opens the picker with its search focused, and closes it again. */
  private async togglePicker(): Promise<void> {
    if (this.pickerOpen) {
      await this.closePicker(this.countryButton);
      return;
    }
    this.pickerOpen = true;
    this.pickedByPointer = false;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('#country-search')?.focus();
  }

  /** Closes the picker (its search forgotten) and puts focus where the person goes next. */
  private async closePicker(focus?: HTMLElement): Promise<void> {
    if (!this.pickerOpen) return;
    this.pickerOpen = false;
    this.countryFilter = '';
    await this.updateComplete;
    focus?.focus();
  }

  /** Escape closes the picker back to its prefix; Enter on the list picks the country and goes to the number. */
  private onPickerKeydown(event: KeyboardEvent): void {
    if (event.key === 'Escape') {
      event.preventDefault();
      void this.closePicker(this.countryButton);
    } else if (event.key === 'Enter' && (event.target as Element).id === 'country') {
      event.preventDefault();
      void this.closePicker(this.phoneInput);
    } else if (event.key === 'Enter') {
      // Enter in the search must not send the form: it moves to the narrowed list, on its first match
      // (the list keeps the current country too; Enter again picks the match, not what was there).
      event.preventDefault();
      const list = this.renderRoot.querySelector<HTMLSelectElement>('#country');
      const match = [...(list?.options ?? [])].find((o) => o.value !== this.activeCountry);
      if (this.countryFilter.trim() && match) {
        this.selectedCountry = match.value;
        this.suggestedCountry = undefined;
      }
      list?.focus();
    }
  }

  /** Focus leaving the picker for anything but its own prefix closes it (the person moved on). */
  private onPickerFocusOut(event: FocusEvent): void {
    const next = event.relatedTarget as Node | null;
    const picker = event.currentTarget as HTMLElement;
    if (next && (picker.contains(next) || next === this.countryButton)) return;
    this.pickerOpen = false;
    this.countryFilter = '';
  }

  /**
   * Instead of a generic error, a number in another country's national form gets "that looks like a
   * number from Australia — use +61?" (docs/elements.md); returns whether it did.
   */
  private suggestCountry(typed: string): boolean {
    const found = phoneUtilManager.util?.nationalElsewhere?.(typed, this.activeCountry, this.l10n.locale) ?? null;
    this.suggestedCountry = found ?? undefined;
    if (found) this.phoneError = phoneHintStrings[this.l10n.locale].elsewhere(found.name, found.callingCode);
    return Boolean(found);
  }

  /** The hint's button: the picker switches to the suggested country, the number is grouped its way. */
  private async useSuggestedCountry(): Promise<void> {
    const suggested = this.suggestedCountry;
    if (!suggested) return;
    this.selectedCountry = suggested.code;
    this.countryFilter = '';
    this.pickerOpen = false;
    this.suggestedCountry = undefined;
    this.phoneError = undefined;
    const util = phoneUtilManager.util;
    if (util) this.phone = util.formatAsYouType(toAsciiDigits(this.phone), suggested.code);
    await this.updateComplete;
    this.phoneInput?.focus();
  }

  private onCountryFilter(event: InputEvent): void {
    this.countryFilter = (event.target as HTMLInputElement).value;
  }

  private async onPhoneSubmit(event?: Event): Promise<void> {
    event?.preventDefault();
    if (this.sending.pending) return;
    const typed = toAsciiDigits(this.phone).trim();
    if (!typed) {
      this.phoneError = this.l10n.t.otp.phoneRequired;
      this.phoneInput?.focus();
      return;
    }
    const util = await phoneUtilManager.load().catch(() => undefined);
    let e164 = typed.replace(/[\s().-]/g, '');
    let display = typed;
    if (util) {
      const parsed = util.parse(typed, this.activeCountry);
      if (!parsed) {
        if (!this.suggestCountry(typed)) this.phoneError = this.l10n.t.errors.invalid_phone_number;
        this.phoneInput?.focus();
        return;
      }
      e164 = parsed.e164;
      display = parsed.international;
    }
    await this.sendCode(e164, display);
    // The server's own check (full metadata) refused what the light one let through: maybe another country's.
    if (this.step === 'phone' && this.sending.error?.code === 'invalid_phone_number') this.suggestCountry(typed);
  }

  /** Starts a verification; also the way forward after a lockout or an expired code. */
  private async sendCode(e164: string, display: string): Promise<void> {
    this.phoneError = undefined;
    const started = await this.sending.run(async (signal) => {
      const { data, serverDate } = await this.keywayClient.startVerification(this.callContext(signal), {
        phoneNumber: e164,
        country: this.activeCountry,
      });
      this.startCountdowns(data, serverDate);
      return data;
    });
    if (!started) {
      if (this.sending.error) {
        this.phoneError = this.reportError(this.sending.error);
        this.step = 'phone';
        await this.updateComplete;
        this.phoneInput?.focus();
      }
      return;
    }
    this.phoneE164 = e164;
    this.sentTo = display;
    this.enterCodeStep(started);
  }

  private startCountdowns(verification: VerificationStarted, serverDate: Date | null): void {
    const receivedAt = Date.now();
    this.resendCountdown.start(verification.resend_after, serverDate, receivedAt);
    this.expiryCountdown.start(verification.expires_at, serverDate, receivedAt);
  }

  private async enterCodeStep(verification: VerificationStarted): Promise<void> {
    this.verification = verification;
    this.code = '';
    this.codeError = undefined;
    this.resendError = undefined;
    this.codeDead = null;
    this.step = 'code';
    const { t, fmt } = this.l10n;
    const lasts = this.expiryCountdown.running ? ` ${t.otp.codeLasts(this.expiryCountdown.remaining, fmt)}` : '';
    this.stepAnnouncement = `${t.otp.codeHeading}. ${t.otp.codeSentTo(this.sentTo)}${lasts}`.replace(
      /[\u2066\u2069]/g,
      '',
    );
    this.emit('otp-sent', {
      verificationId: verification.verification_id,
      expiresAt: verification.expires_at,
      resendAfter: verification.resend_after,
    });
    await this.updateComplete;
    this.codeInput?.focus();
    this.listenForWebOtp();
  }

  /** Progressive enhancement: a browser that reads the SMS fills the code and continues. */
  private listenForWebOtp(): void {
    this.webOtpAbort?.abort();
    const abort = new AbortController();
    this.webOtpAbort = abort;
    webOtp.receive(abort.signal).then(
      (code) => {
        if (!code || abort.signal.aborted || this.step !== 'code') return;
        this.code = extractOtp(code);
        void this.onCodeSubmit();
      },
      () => undefined,
    );
  }

  // ---- code step --------------------------------------------------------------------------

  private onCodeInput(event: InputEvent): void {
    const input = event.target as HTMLInputElement;
    const ascii = toAsciiDigits(input.value);
    // A pasted text message is reduced to its code; typed digits are kept as typed.
    this.code = /[^\d\s-]/.test(ascii) ? extractOtp(ascii) : ascii;
    if (input.value !== this.code) input.value = this.code;
  }

  private async onCodeSubmit(event?: Event): Promise<void> {
    event?.preventDefault();
    if (this.checking.pending || !this.verification || this.codeDead) return;
    const code = extractOtp(this.code);
    if (!/^\d{6}$/.test(code)) {
      this.codeError = this.l10n.t.otp.codeRequired;
      this.codeInput?.focus();
      return;
    }
    this.codeError = undefined;
    // The step was announced when it appeared; from now on only the answer to this code is.
    this.stepAnnouncement = '';
    const id = this.verification.verification_id;
    const grant = await this.checking.run(async (signal) => {
      const { data } = await this.keywayClient.checkVerification(this.callContext(signal), id, code);
      return data;
    });
    if (grant) {
      this.webOtpAbort?.abort();
      this.step = 'done';
      this.emit('otp-verified', {
        provisioningToken: grant.provisioning_token,
        expiresAt: grant.expires_at,
        credential: grant.credential,
      });
      return;
    }
    const error = this.checking.error;
    if (!error) return;
    this.codeError = this.reportError(error);
    if (error.code === 'too_many_attempts') this.codeDead = 'locked';
    else if (error.code === 'verification_expired') this.codeDead = 'expired';
    await this.updateComplete;
    if (this.codeDead) this.renderRoot.querySelector<HTMLElement>('[part="start-again-button"]')?.focus();
    else this.codeInput?.select();
  }

  private async onResend(): Promise<void> {
    if (!this.verification || this.resending.pending || this.resendCountdown.running) return;
    const id = this.verification.verification_id;
    this.announcement = '';
    const resent = await this.resending.run(async (signal) => {
      const { data, serverDate } = await this.keywayClient.resendVerification(this.callContext(signal), id);
      this.startCountdowns(data, serverDate);
      return data;
    });
    if (resent) {
      await this.enterCodeStep(resent);
      this.announcement = this.l10n.t.otp.resent;
      return;
    }
    const error = this.resending.error;
    if (!error) return;
    if (DEAD_CODE.has(error.code)) {
      this.codeError = this.reportError(error);
      this.codeDead = error.code === 'too_many_attempts' ? 'locked' : 'expired';
    } else {
      this.resendError = this.reportError(error);
    }
  }

  /** The way forward from a dead code: a fresh verification to the same number. */
  private onStartAgain(): void {
    if (this.phoneE164) void this.sendCode(this.phoneE164, this.sentTo);
    else void this.onChangeNumber();
  }

  private async onChangeNumber(): Promise<void> {
    this.webOtpAbort?.abort();
    this.resendCountdown.stop();
    this.expiryCountdown.stop();
    this.verification = undefined;
    this.codeDead = null;
    this.stepAnnouncement = '';
    this.step = 'phone';
    await this.updateComplete;
    this.phoneInput?.focus();
  }

  // ---- rendering --------------------------------------------------------------------------

  private countryOptions(): CountryOption[] {
    const selected = this.activeCountry;
    const util = phoneUtilManager.util;
    // Until the phone chunk arrives, only the current country (named by its code) is offered.
    return util
      ? util.listCountries(this.l10n.locale, this.countryFilter, selected)
      : [{ code: selected, name: selected, callingCode: '' }];
  }

  private renderPhoneStep() {
    const { t } = this.l10n;
    const busy = this.sending.pending;
    const error = this.phoneError;
    const selected = this.activeCountry;
    const example = phoneUtilManager.util?.exampleNumber(selected);
    const options = this.countryOptions();
    const current = options.find((c) => c.code === selected) ?? { code: selected, name: selected, callingCode: '' };
    return html`<form part="form" novalidate @submit=${this.onPhoneSubmit}>
      <h2 part="heading" tabindex="-1" data-focus-target>${t.otp.phoneHeading}</h2>
      <div class="field">
        <label part="label" for="phone">${t.otp.phoneLabel}</label>
        <p part="hint" id="phone-hint" class="hint">${t.otp.phoneHint}</p>
        ${
          example
            ? html`<p part="hint example" id="phone-example" class="hint">${this.isolated(t.otp.phoneExample(example.national, example.international))}</p>`
            : nothing
        }
        <div class="number" dir="ltr">
          <button
            part="country-button"
            type="button"
            class="secondary prefix"
            aria-expanded=${this.pickerOpen ? 'true' : 'false'}
            aria-controls="country-picker"
            @mousedown=${this.keepFocusOnPress}
            @click=${this.togglePicker}
          >
            <span class="visually-hidden">${t.otp.countryLabel}: ${current.name}</span>
            ${current.callingCode ? `+${current.callingCode}` : current.code}
          </button>
          <input
            part="phone-input"
            id="phone"
            name="phone_number"
            type="tel"
            autocomplete="tel"
            inputmode="tel"
            dir="ltr"
            enterkeyhint="send"
            .value=${this.phone}
            aria-describedby=${['phone-hint', example ? 'phone-example' : '', error ? 'phone-error' : ''].filter(Boolean).join(' ')}
            aria-invalid=${error ? 'true' : 'false'}
            @input=${this.onPhoneInput}
          />
        </div>
        <div
          part="country-picker"
          id="country-picker"
          class="country"
          ?hidden=${!this.pickerOpen}
          @keydown=${this.onPickerKeydown}
          @focusout=${this.onPickerFocusOut}
        >
          <div class="field">
            <label part="label" for="country-search">${t.otp.countrySearchLabel}</label>
            <input
              part="country-search"
              id="country-search"
              type="search"
              autocomplete="off"
              .value=${this.countryFilter}
              @input=${this.onCountryFilter}
            />
          </div>
          <div class="field">
            <label part="label" for="country">${t.otp.countryLabel}</label>
            <select
              part="country-select"
              id="country"
              autocomplete="tel-country-code"
              size=${Math.min(Math.max(options.length, 2), 6)}
              @pointerdown=${this.onPickerPointer}
              @change=${this.onCountryChange}
            >
              ${options.map(
                (c) =>
                  html`<option value=${c.code} ?selected=${c.code === selected}>
                    ${c.name}${c.callingCode ? ` (\u2066+${c.callingCode}\u2069)` : ''}
                  </option>`,
              )}
            </select>
          </div>
        </div>
        ${this.renderError('phone-error', error, () => void this.onPhoneSubmit())}
        ${
          this.suggestedCountry
            ? html`<button part="switch-country-button" type="button" class="secondary" @click=${this.useSuggestedCountry}>
                ${this.isolated(phoneHintStrings[this.l10n.locale].useCountry(this.suggestedCountry.name, this.suggestedCountry.callingCode))}
              </button>`
            : nothing
        }
      </div>
      <button part="button" type="submit" aria-disabled=${busy ? 'true' : 'false'}>
        ${busy ? this.renderSpinner() : nothing}${t.otp.sendCode}
      </button>
    </form>`;
  }

  private renderCodeStep() {
    const { t, fmt } = this.l10n;
    const busy = this.checking.pending;
    const error = this.codeError;
    const resendWait = this.resendCountdown.running;
    return html`<form part="form" novalidate @submit=${this.onCodeSubmit}>
      <h2 part="heading" tabindex="-1" data-focus-target>${t.otp.codeHeading}</h2>
      <p id="code-sent">${this.isolated(t.otp.codeSentTo(this.sentTo))}</p>
      ${this.expiryCountdown.running ? html`<p id="code-expiry" class="hint">${t.otp.codeLasts(this.expiryCountdown.remaining, fmt)}</p>` : nothing}
      ${
        this.codeDead
          ? html`${this.renderError('code-error', error ?? (this.codeDead === 'expired' ? t.errors.verification_expired : t.otp.lockedOut))}
            <button part="start-again-button" type="button" @click=${this.onStartAgain} aria-disabled=${this.sending.pending ? 'true' : 'false'}>
              ${this.sending.pending ? this.renderSpinner() : nothing}${this.codeDead === 'expired' ? t.otp.resend : t.otp.startAgain}
            </button>`
          : html`<div class="field">
              <label part="label" for="code">${t.otp.codeLabel}</label>
              <p part="hint" id="code-hint" class="hint">${t.otp.codeHint}</p>
              <input
                part="code-input"
                id="code"
                name="code"
                type="text"
                inputmode="numeric"
                autocomplete="one-time-code"
                dir="ltr"
                enterkeyhint="done"
                spellcheck="false"
                .value=${this.code}
                aria-describedby=${[
                  'code-sent',
                  this.expiryCountdown.running ? 'code-expiry' : '',
                  'code-hint',
                  error ? 'code-error' : '',
                ]
                  .filter(Boolean)
                  .join(' ')}
                aria-invalid=${error ? 'true' : 'false'}
                @input=${this.onCodeInput}
              />
              ${this.renderError('code-error', error, () => void this.onCodeSubmit())}
            </div>
            <button part="button" type="submit" aria-disabled=${busy ? 'true' : 'false'}>
              ${busy ? this.renderSpinner() : nothing}${t.common.continue}
            </button>`
      }
      <details part="help">
        <summary>${t.otp.notReceived}</summary>
        <div>
          <p>${t.otp.notReceivedHelp}</p>
          <div class="actions">
            <button
              part="resend-button"
              type="button"
              class="secondary"
              aria-disabled=${resendWait || this.resending.pending ? 'true' : 'false'}
              aria-describedby=${resendWait ? 'resend-countdown' : nothing}
              @click=${this.onResend}
            >
              ${this.resending.pending ? this.renderSpinner() : nothing}${t.otp.resend}
            </button>
            <button part="change-number-button" type="button" class="link" @click=${this.onChangeNumber}>
              ${t.otp.changeNumber}
            </button>
          </div>
          ${
            resendWait
              ? html`<p part="countdown" id="resend-countdown" class="hint">${t.otp.resendIn(this.resendCountdown.remaining, fmt)}</p>`
              : nothing
          }
          ${this.renderError('resend-error', this.resendError, () => void this.onResend())}
        </div>
      </details>
    </form>`;
  }

  override render() {
    const { t } = this.l10n;
    return html`<div part="base" dir=${this.l10n.dir} lang=${this.l10n.locale}>
      <div part="status" role="status" aria-live="polite">
        ${
          // A code check is quick and its answer is announced: "Please wait" would only stand before it.
          this.sending.pending || this.resending.pending
            ? html`<span class="visually-hidden">${t.common.loading}</span>`
            : nothing
        }
        ${
          this.stepAnnouncement && this.step === 'code' && !this.announcement
            ? html`<span class="visually-hidden">${this.stepAnnouncement}</span>`
            : nothing
        }
        ${this.announcement && this.step === 'code' ? html`<p class="success">${this.announcement}</p>` : nothing}
        ${this.step === 'done' ? html`<p part="success" class="success" tabindex="-1" data-focus-target>${t.otp.done}</p>` : nothing}
      </div>
      ${this.step === 'phone' ? this.renderPhoneStep() : this.step === 'code' ? this.renderCodeStep() : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sms-otp-verify': SmsOtpVerify;
  }
}
