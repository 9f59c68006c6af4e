import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { expect, waitFor } from 'storybook/test';
import { type Args, clientOf, mount } from './support/mount.js';
import { element, part, sees } from './support/play.js';
import {
  apiError,
  handoff,
  passTicket,
  STORY_CREDENTIAL,
  STORY_DEVICE,
  type StoryScript,
  snapshot,
} from './support/story-client.js';

const INSTAGRAM_IOS =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 330.0.0.0';

const meta: Meta<Args> = {
  title: 'Elements/add-to-wallet',
  component: 'add-to-wallet',
  args: { platform: 'ios', 'credential-id': STORY_CREDENTIAL, locale: '' },
  argTypes: {
    platform: {
      control: 'select',
      options: ['ios', 'android', 'desktop'],
      description: 'Overrides detection from the user agent.',
    },
    'credential-id': { control: 'text' },
    locale: { control: 'select', options: ['', 'en', 'de', 'ar'], description: 'Overrides the toolbar locale.' },
    'api-base': { control: 'text' },
    'publishable-key': { control: 'text' },
    token: { control: 'text' },
    'token-expires-at': { control: 'text' },
  },
  parameters: {
    script: {
      requestPass: passTicket,
      createHandoff: handoff(),
      getCredentialStatus: snapshot('provisioning'),
      stream: 'live',
    } satisfies StoryScript,
  },
  render: (args, { parameters }) =>
    mount('add-to-wallet', args, {
      script: parameters.script as StoryScript,
      provider: { token: 'ps_story_provisioning_token_000000' },
      props: parameters.userAgent ? { userAgent: parameters.userAgent } : {},
    }),
};
export default meta;

type Story = StoryObj<Args>;

async function press(canvasElement: HTMLElement, which: 'apple-button' | 'google-button' = 'apple-button') {
  const el = await element(canvasElement, 'add-to-wallet');
  (await part(el, which)).click();
  return el;
}

/** The order of the two buttons, by part name. */
function order(el: Element): string[] {
  return [
    ...el.shadowRoot!.querySelectorAll('[part$="-button"][part^="apple"], [part$="-button"][part^="google"]'),
  ].map((b) => b.getAttribute('part')!);
}

/** Google Wallet does not run on iPhone: only Apple Wallet is offered there. */
export const IOS: Story = {
  play: async ({ canvasElement }) => {
    const el = await element(canvasElement, 'add-to-wallet');
    await waitFor(() => expect(order(el)).toEqual(['apple-button']));
    await expect(await part(el, 'apple-button')).toHaveAccessibleName('Add to Apple Wallet');
  },
};

export const Android: Story = {
  args: { platform: 'android' },
  play: async ({ canvasElement }) => {
    const el = await element(canvasElement, 'add-to-wallet');
    await waitFor(() => expect(order(el)).toEqual(['google-button', 'apple-button']));
  },
};

export const Desktop: Story = {
  args: { platform: 'desktop' },
  play: async ({ canvasElement }) => {
    const el = await element(canvasElement, 'add-to-wallet');
    const qr = await part(el, 'qr');
    await waitFor(() => expect(qr.querySelector('img')?.getAttribute('src')).toMatch(/^data:image\/svg/));
    await part(el, 'copy-button');
  },
};

export const DesktopHandoffFailed: Story = {
  args: { platform: 'desktop' },
  parameters: { script: { createHandoff: apiError('network_error', 0) } },
  play: async ({ canvasElement }) => {
    const el = await element(canvasElement, 'add-to-wallet');
    await part(el, 'retry-button');
  },
};

export const InAppBrowser: Story = {
  args: { platform: '' },
  parameters: { userAgent: INSTAGRAM_IOS },
  play: async ({ canvasElement }) => {
    const el = await element(canvasElement, 'add-to-wallet');
    await part(el, 'in-app-guidance');
    await sees(el, 'Safari');
  },
};

export const Requesting: Story = {
  parameters: { script: { requestPass: 'pending' } },
  play: async ({ canvasElement }) => {
    const el = await press(canvasElement);
    await part(el, 'spinner');
    await expect(await part(el, 'apple-button')).toHaveAttribute('aria-disabled', 'true');
  },
};

export const Opened: Story = {
  play: async ({ canvasElement }) => {
    const el = await press(canvasElement);
    await part(el, 'try-again-button');
  },
};

export const Added: Story = {
  play: async ({ canvasElement }) => {
    const el = await press(canvasElement);
    await part(el, 'try-again-button');
    // The wallet confirms the device: the live status turns it active.
    const stream = await waitFor(() => clientOf(canvasElement).streams.at(-1)!);
    stream.push({
      old_status: 'provisioning',
      new_status: 'active',
      enabled: true,
      devices: [{ id: STORY_DEVICE, platform: 'apple', status: 'active', added_at: new Date().toISOString() }],
      updated_at: new Date().toISOString(),
    });
    await part(el, 'success');
  },
};

export const CredentialDisabled: Story = {
  parameters: { script: { requestPass: apiError('credential_disabled', 403) } },
  play: async ({ canvasElement }) => {
    const el = await press(canvasElement);
    await part(el, 'error');
  },
};

export const NetworkFailure: Story = {
  args: { platform: 'android' },
  parameters: { script: { requestPass: apiError('network_error', 0) } },
  play: async ({ canvasElement }) => {
    const el = await press(canvasElement, 'google-button');
    await part(el, 'retry-button');
  },
};

export const WithBadgeSlots: Story = {
  render: (args, { parameters }) =>
    mount('add-to-wallet', args, {
      script: parameters.script as StoryScript,
      provider: { token: 'ps_story_provisioning_token_000000' },
      // Stand-ins for the official artwork a partner would slot in (Apple and Google forbid redrawn badges).
      children:
        '<img slot="apple-badge" alt="Add to Apple Wallet" width="160" height="48" src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 width=%22160%22 height=%2248%22%3E%3Crect width=%22160%22 height=%2248%22 rx=%228%22/%3E%3C/svg%3E">' +
        '<img slot="google-badge" alt="Add to Google Wallet" width="160" height="48" src="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 width=%22160%22 height=%2248%22%3E%3Crect width=%22160%22 height=%2248%22 rx=%2224%22/%3E%3C/svg%3E">',
    }),
  play: async ({ canvasElement }) => {
    const el = await element(canvasElement, 'add-to-wallet');
    await expect(await part(el, 'apple-button')).toHaveAccessibleName('Add to Apple Wallet');
  },
};

/** The credential's live status decides: a removed pass is never "in the wallet" and never offered. */
export const Removed: Story = {
  parameters: { script: { getCredentialStatus: snapshot('revoked') } },
  play: async ({ canvasElement }) => {
    const el = await element(canvasElement, 'add-to-wallet');
    await sees(el, 'Your pass has been removed, so it cannot be added.');
    await expect(el.shadowRoot!.querySelector('button')).toBeNull();
  },
};

export const Suspended: Story = {
  parameters: { script: { getCredentialStatus: snapshot('suspended') } },
  play: async ({ canvasElement }) => {
    const el = await element(canvasElement, 'add-to-wallet');
    await part(el, 'unavailable');
    await expect(el.shadowRoot!.querySelector('button')).toBeNull();
  },
};

/** An HID badge (type 10) whose pass template supports Apple Wallet only: no Google button, even on a computer. */
export const BadgeAppleOnly: Story = {
  args: { platform: 'desktop' },
  parameters: {
    script: {
      getCredentialStatus: { ...snapshot('provisioning'), credential_type_id: 10 },
      passPlatforms: { platforms: ['apple'] },
    },
  },
  play: async ({ canvasElement }) => {
    const el = await element(canvasElement, 'add-to-wallet');
    await waitFor(() => expect(order(el)).toEqual(['apple-button']));
  },
};

/** Before a session exists (nothing redeemed yet): no wallet button that could only answer 401. */
export const NoSessionYet: Story = {
  render: (args, { parameters }) => mount('add-to-wallet', args, { script: parameters.script as StoryScript }),
  play: async ({ canvasElement }) => {
    const el = await element(canvasElement, 'add-to-wallet');
    await expect(el.shadowRoot!.querySelector('button')).toBeNull();
    await expect(clientOf(canvasElement).calls).toEqual([]);
  },
};

export const AndroidDark: Story = { ...Android, globals: { theme: 'dark' } };
export const DesktopArabic: Story = { ...Desktop, globals: { locale: 'ar' } };
