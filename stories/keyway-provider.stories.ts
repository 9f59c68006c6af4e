import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { expect, waitFor } from 'storybook/test';
import type { SmsOtpVerify } from '../src/index.js';
import { type Args, clientOf, mount, setAttributes } from './support/mount.js';
import { element, part, type } from './support/play.js';
import {
  grant,
  handoff,
  passTicket,
  STORY_DEVICE,
  type StoryScript,
  snapshot,
  verification,
} from './support/story-client.js';

/**
 * `<keyway-provider>` configures the elements inside it and adopts the provisioning token an
 * inner element obtains, so a journey needs no page code. Its stories are journeys.
 */
const meta: Meta<Args> = {
  title: 'Elements/keyway-provider',
  component: 'keyway-provider',
  args: { 'api-base': 'https://keyway.example', 'publishable-key': 'pk_story_publishable_key_0000', locale: '' },
  argTypes: {
    'api-base': { control: 'text' },
    'publishable-key': { control: 'text' },
    token: { control: 'text' },
    'token-expires-at': { control: 'text' },
    'credential-id': { control: 'text' },
    locale: { control: 'select', options: ['', 'en', 'de', 'ar'] },
  },
  parameters: {
    script: {
      redeemInvitation: grant(),
      startVerification: verification(),
      checkVerification: grant(),
      requestPass: passTicket,
      createHandoff: handoff(),
      getCredentialStatus: snapshot('provisioning'),
      stream: 'live',
    } satisfies StoryScript,
  },
};
export default meta;

type Story = StoryObj<Args>;

/** The provider with `inner` markup as its children, attributes from args. */
const journey =
  (inner: string): Story['render'] =>
  (args, { parameters }) => {
    const provider = mount('keyway-provider', {}, { script: parameters.script as StoryScript });
    setAttributes(provider, args);
    provider.innerHTML = inner;
    return provider;
  };

export const Empty: Story = {
  render: journey('<credential-status></credential-status>'),
  play: async ({ canvasElement }) => {
    // No token yet: the status waits without calling the server.
    await element(canvasElement, 'credential-status');
    await expect(clientOf(canvasElement).calls).toEqual([]);
  },
};

export const InvitationJourney: Story = {
  render: journey(
    '<invite-redeem code="7KX-9QM-2HR-4TD"></invite-redeem><add-to-wallet platform="ios"></add-to-wallet><credential-status compact></credential-status>',
  ),
  play: async ({ canvasElement }) => {
    const redeem = await element(canvasElement, 'invite-redeem');
    (await part(redeem, 'button')).click();
    const status = await element(canvasElement, 'credential-status');
    await waitFor(() => expect(status.getAttribute('status')).toBe('provisioning'));
  },
};

export const SmsJourney: Story = {
  render: journey('<sms-otp-verify country="GB"></sms-otp-verify><add-to-wallet platform="android"></add-to-wallet>'),
  play: async ({ canvasElement }) => {
    const otp = await element<SmsOtpVerify>(canvasElement, 'sms-otp-verify');
    type(await part(otp, 'phone-input'), '07400 123456');
    (await part(otp, 'button')).click();
    await waitFor(() => expect(otp.step).toBe('code'));
    type(await part(otp, 'code-input'), '123456');
    (await part(otp, 'button')).click();
    await waitFor(() => expect(otp.step).toBe('done'));
    await expect(clientOf(canvasElement).calls).toContain('checkVerification');
  },
};

export const TokenGiven: Story = {
  args: { token: 'cs_story_client_session_0000', 'credential-id': 'cred_story0001' },
  render: journey('<add-to-wallet platform="ios"></add-to-wallet><credential-status></credential-status>'),
  play: async ({ canvasElement }) => {
    const wallet = await element(canvasElement, 'add-to-wallet');
    (await part(wallet, 'apple-button')).click();
    await part(wallet, 'try-again-button');
    // Both elements follow the credential live: the wallet confirms the device on every stream.
    const streams = await waitFor(() => {
      const open = clientOf(canvasElement).streams;
      expect(open.length).toBeGreaterThanOrEqual(2);
      return open;
    });
    for (const stream of streams) {
      stream.push({
        old_status: 'provisioning',
        new_status: 'active',
        enabled: true,
        devices: [{ id: STORY_DEVICE, platform: 'apple', status: 'active', added_at: new Date().toISOString() }],
        updated_at: new Date().toISOString(),
      });
    }
    await part(wallet, 'success');
  },
};

export const German: Story = {
  args: { locale: 'de', token: 'cs_story_client_session_0000', 'credential-id': 'cred_story0001' },
  render: journey('<add-to-wallet platform="ios"></add-to-wallet><credential-status></credential-status>'),
  play: async ({ canvasElement }) => {
    const wallet = await element(canvasElement, 'add-to-wallet');
    await waitFor(async () => expect(await part(wallet, 'apple-button')).toHaveAccessibleName(/Apple Wallet/));
    await waitFor(async () => expect((await part(wallet, 'base')).getAttribute('lang')).toBe('de'));
  },
};

export const Arabic: Story = {
  args: { locale: 'ar', token: 'cs_story_client_session_0000', 'credential-id': 'cred_story0001' },
  render: journey('<invite-redeem></invite-redeem><credential-status></credential-status>'),
  play: async ({ canvasElement }) => {
    const redeem = await element(canvasElement, 'invite-redeem');
    await waitFor(async () => expect((await part(redeem, 'base')).getAttribute('dir')).toBe('rtl'));
    // Codes stay left-to-right inside right-to-left text.
    await expect(await part(redeem, 'input')).toHaveAttribute('dir', 'ltr');
  },
};
