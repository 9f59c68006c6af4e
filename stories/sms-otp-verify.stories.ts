import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { expect, waitFor } from 'storybook/test';
import type { SmsOtpVerify } from '../src/index.js';
import { type Args, mount } from './support/mount.js';
import { element, part, type } from './support/play.js';
import { apiError, grant, type StoryScript, verification } from './support/story-client.js';

const PHONE = '07400 123456';

const meta: Meta<Args> = {
  title: 'Elements/sms-otp-verify',
  component: 'sms-otp-verify',
  args: { country: 'GB', step: 'phone', locale: '' },
  argTypes: {
    country: { control: 'text', description: 'ISO-3166 country for national numbers.' },
    step: {
      control: 'select',
      options: ['phone', 'code', 'done'],
      description: 'Reflected; the element moves it itself.',
    },
    locale: { control: 'select', options: ['', 'en', 'de', 'ar'], description: 'Overrides the toolbar locale.' },
    'api-base': { control: 'text' },
    'publishable-key': { control: 'text' },
    token: { control: 'text' },
    'token-expires-at': { control: 'text' },
  },
  render: (args, { parameters }) => mount('sms-otp-verify', args, { script: parameters.script as StoryScript }),
};
export default meta;

type Story = StoryObj<Args>;

async function sendPhone(canvasElement: HTMLElement, phone = PHONE): Promise<SmsOtpVerify> {
  const el = await element<SmsOtpVerify>(canvasElement, 'sms-otp-verify');
  type(await part(el, 'phone-input'), phone);
  (await part(el, 'button')).click();
  return el;
}

/** Phone step, then the code step with `code` typed and Continue pressed. */
async function sendCode(canvasElement: HTMLElement, code = '123456'): Promise<SmsOtpVerify> {
  const el = await sendPhone(canvasElement);
  await waitFor(() => expect(el.step).toBe('code'));
  type(await part(el, 'code-input'), code);
  (await part(el, 'button')).click();
  return el;
}

const sent: StoryScript = { startVerification: verification() };

export const PhoneStep: Story = {
  play: async ({ canvasElement }) => {
    const el = await element(canvasElement, 'sms-otp-verify');
    const input = await part(el, 'phone-input');
    await expect(input).toHaveAttribute('type', 'tel');
    await expect(input).toHaveAttribute('autocomplete', 'tel');
  },
};

export const Sending: Story = {
  parameters: { script: { startVerification: 'pending' } },
  play: async ({ canvasElement }) => {
    const el = await sendPhone(canvasElement);
    await waitFor(() =>
      expect(el.shadowRoot!.querySelector('[part="button"]')).toHaveAttribute('aria-disabled', 'true'),
    );
  },
};

export const InvalidNumber: Story = {
  play: async ({ canvasElement }) => {
    const el = await sendPhone(canvasElement, '12');
    await part(el, 'error');
    await expect(el.step).toBe('phone');
  },
};

/** An Australian mobile typed on a British page: the element names the country and offers to switch. */
export const AnotherCountrysNumber: Story = {
  parameters: { script: sent },
  play: async ({ canvasElement }) => {
    const el = await element<SmsOtpVerify>(canvasElement, 'sms-otp-verify');
    // The light check runs in the phone chunk: wait for it (the prefix turns from GB to +44).
    await waitFor(() =>
      expect((el.shadowRoot!.querySelector('[part~="country-button"]') as HTMLElement).textContent).toContain('+44'),
    );
    await sendPhone(canvasElement, '0491 570 161');
    const error = await part(el, 'error');
    await expect(error.textContent).toContain('Australia');
    const useIt = await part(el, 'switch-country-button');
    await expect(useIt.textContent).toContain('+61');
    await expect(el.step).toBe('phone');
  },
};

export const CountryNotAllowed: Story = {
  parameters: { script: { startVerification: apiError('country_not_allowed', 422) } },
  play: async ({ canvasElement }) => {
    const el = await sendPhone(canvasElement);
    await part(el, 'error');
  },
};

export const TooManySends: Story = {
  parameters: { script: { startVerification: apiError('rate_limited', 429, { retryAfter: 1800 }) } },
  play: async ({ canvasElement }) => {
    const el = await sendPhone(canvasElement);
    await part(el, 'error');
  },
};

export const CodeStep: Story = {
  parameters: { script: sent },
  play: async ({ canvasElement }) => {
    const el = await sendPhone(canvasElement);
    await waitFor(() => expect(el.step).toBe('code'));
    const input = await part(el, 'code-input');
    await expect(input).toHaveAttribute('autocomplete', 'one-time-code');
    await expect(input).toHaveAttribute('inputmode', 'numeric');
  },
};

export const ResendCountdown: Story = {
  parameters: { script: sent },
  play: async ({ canvasElement }) => {
    const el = await sendPhone(canvasElement);
    await waitFor(() => expect(el.step).toBe('code'));
    (await part(el, 'help')).setAttribute('open', '');
    await part(el, 'countdown');
    await expect(await part(el, 'resend-button')).toHaveAttribute('aria-disabled', 'true');
  },
};

export const Checking: Story = {
  parameters: { script: { ...sent, checkVerification: 'pending' } },
  play: async ({ canvasElement }) => {
    const el = await sendCode(canvasElement);
    await waitFor(() =>
      expect(el.shadowRoot!.querySelector('[part="button"]')).toHaveAttribute('aria-disabled', 'true'),
    );
  },
};

export const IncorrectCode: Story = {
  parameters: {
    script: { ...sent, checkVerification: apiError('incorrect_code', 422, { details: { attempts_left: 3 } }) },
  },
  play: async ({ canvasElement }) => {
    const el = await sendCode(canvasElement);
    const error = await part(el, 'error');
    await waitFor(() => expect(error.textContent).toMatch(/3/));
  },
};

export const LockedOut: Story = {
  parameters: { script: { ...sent, checkVerification: apiError('too_many_attempts', 429, { retryAfter: 600 }) } },
  play: async ({ canvasElement }) => {
    const el = await sendCode(canvasElement);
    await part(el, 'start-again-button');
  },
};

export const CodeExpired: Story = {
  parameters: { script: { ...sent, checkVerification: apiError('verification_expired', 410) } },
  play: async ({ canvasElement }) => {
    const el = await sendCode(canvasElement);
    await part(el, 'start-again-button');
  },
};

export const NetworkFailure: Story = {
  parameters: { script: { ...sent, checkVerification: apiError('network_error', 0) } },
  play: async ({ canvasElement }) => {
    const el = await sendCode(canvasElement);
    await part(el, 'retry-button');
  },
};

export const Verified: Story = {
  parameters: { script: { ...sent, checkVerification: grant() } },
  play: async ({ canvasElement }) => {
    const el = await sendCode(canvasElement);
    await waitFor(() => expect(el.step).toBe('done'));
    await part(el, 'success');
  },
};

/** KEYWAY_UNKNOWN_NUMBER_POLICY=conceal: an unknown number looks exactly like a known one. */
export const UnknownNumberConcealed: Story = {
  parameters: {
    script: { ...sent, checkVerification: apiError('incorrect_code', 422, { details: { attempts_left: 4 } }) },
  },
  play: async ({ canvasElement }) => {
    const el = await sendCode(canvasElement);
    await part(el, 'error');
    await expect(el.step).toBe('code');
  },
};

/** KEYWAY_UNKNOWN_NUMBER_POLICY=reveal (elumo): the person is told to check their profile. */
export const UnknownNumberRevealed: Story = {
  parameters: { script: { startVerification: apiError('phone_not_found', 404) } },
  play: async ({ canvasElement }) => {
    const el = await sendPhone(canvasElement);
    await part(el, 'error');
    await expect(el.step).toBe('phone');
  },
};

/** The dark theme's colours, checked by the a11y test like every other story. */
export const CodeStepDark: Story = {
  ...CodeStep,
  globals: { theme: 'dark' },
};

export const CodeStepArabic: Story = {
  ...CodeStep,
  globals: { locale: 'ar' },
  play: async ({ canvasElement }) => {
    const el = await sendPhone(canvasElement);
    await waitFor(() => expect(el.step).toBe('code'));
    // Digits stay left to right inside right-to-left text.
    await expect(await part(el, 'code-input')).toHaveAttribute('dir', 'ltr');
    await waitFor(async () => expect((await part(el, 'base')).getAttribute('dir')).toBe('rtl'));
  },
};

/** A German page and no key default: Germany preselected, and its hint's example is one the library accepts. */
export const PhoneStepGerman: Story = {
  args: { country: '', locale: 'de' },
  parameters: { script: sent },
  play: async ({ canvasElement }) => {
    const el = await element<SmsOtpVerify>(canvasElement, 'sms-otp-verify');
    await waitFor(() =>
      expect((el.shadowRoot!.querySelector('[part="country-select"]') as HTMLSelectElement).value).toBe('DE'),
    );
    const example = await part(el, 'example');
    const national = example.querySelector('bdi')!.textContent!;
    await expect(national).toBe('01512 3456789');
    type(await part(el, 'phone-input'), national);
    (await part(el, 'button')).click();
    await waitFor(() => expect(el.step).toBe('code'));
  },
};

/** The country picker open under the number: its search has focus; a search narrows the list. */
export const CountryPickerOpen: Story = {
  play: async ({ canvasElement }) => {
    const el = await element<SmsOtpVerify>(canvasElement, 'sms-otp-verify');
    const prefix = await part(el, 'country-button');
    await waitFor(() => expect(prefix.textContent).toContain('+44'));
    prefix.click();
    await waitFor(() => expect(prefix).toHaveAttribute('aria-expanded', 'true'));
    const search = (await part(el, 'country-search')) as HTMLInputElement;
    await waitFor(() => expect(el.shadowRoot!.activeElement).toBe(search));
    type(search, 'Aus');
    const list = (await part(el, 'country-select')) as HTMLSelectElement;
    await waitFor(() => expect([...list.options].map((o) => o.value)).toContain('AU'));
    await expect(list.options.length).toBeLessThan(6);
  },
};

/** Arabic code step: the number stays one left-to-right unit and every text uses Latin digits. */
export const CodeStepArabicDigits: Story = {
  args: { locale: 'ar' },
  parameters: { script: sent },
  play: async ({ canvasElement }) => {
    const el = await sendPhone(canvasElement);
    await waitFor(() => expect(el.step).toBe('code'));
    const number = await waitFor(() => el.shadowRoot!.querySelector('#code-sent bdi')!);
    await expect(number.textContent).toBe('+44 7400 123456');
    await expect(/[\u0660-\u0669]/.test(el.shadowRoot!.textContent ?? '')).toBe(false);
  },
};
