import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { expect, waitFor } from 'storybook/test';
import type { CredentialStatus, CredentialStatusElement } from '../src/index.js';
import { type Args, clientOf, mount } from './support/mount.js';
import { element, part } from './support/play.js';
import { apiError, STORY_CREDENTIAL, type StoryScript, snapshot } from './support/story-client.js';

const meta: Meta<Args> = {
  title: 'Elements/credential-status',
  component: 'credential-status',
  args: { 'credential-id': STORY_CREDENTIAL, compact: false, locale: '' },
  argTypes: {
    'credential-id': { control: 'text' },
    compact: { control: 'boolean', description: 'Only the badge.' },
    status: {
      control: 'select',
      options: ['', 'invited', 'provisioning', 'active', 'suspended', 'revoking', 'revoked', 'expired'],
      description: 'Reflected; the live status overwrites it.',
    },
    locale: { control: 'select', options: ['', 'en', 'de', 'ar'], description: 'Overrides the toolbar locale.' },
    'api-base': { control: 'text' },
    'publishable-key': { control: 'text' },
    token: { control: 'text' },
    'token-expires-at': { control: 'text' },
  },
  render: (args, { parameters }) =>
    mount('credential-status', args, {
      script: parameters.script as StoryScript,
      provider: { token: 'ps_story_provisioning_token_000000' },
    }),
};
export default meta;

type Story = StoryObj<Args>;

/** A story showing one status, delivered as the live stream's first snapshot. */
const showing = (status: CredentialStatus, extra: Partial<Story> = {}): Story => ({
  parameters: { script: { getCredentialStatus: snapshot(status), stream: 'live' } },
  play: async ({ canvasElement }) => {
    const el = await element<CredentialStatusElement>(canvasElement, 'credential-status');
    await waitFor(() => expect(el.getAttribute('status')).toBe(status));
    await expect(await part(el, 'base')).toHaveAttribute('data-status', status);
  },
  ...extra,
});

export const Loading: Story = {
  parameters: { script: { getCredentialStatus: 'pending', stream: 'none' } },
  play: async ({ canvasElement }) => {
    const el = await element(canvasElement, 'credential-status');
    await part(el, 'spinner');
  },
};

export const Invited = showing('invited');
export const Provisioning = showing('provisioning');
export const Active = showing('active');
export const Suspended = showing('suspended');
export const Revoking = showing('revoking');
export const Revoked = showing('revoked');
export const Expired = showing('expired');
export const Compact = showing('active', { args: { compact: true } });

export const PollingFallback: Story = {
  parameters: { script: { getCredentialStatus: snapshot('active'), stream: 'none' } },
  play: async ({ canvasElement }) => {
    const el = await element(canvasElement, 'credential-status');
    await waitFor(() => expect(el.getAttribute('status')).toBe('active'));
    await expect(clientOf(canvasElement).calls).toContain('getCredentialStatus');
  },
};

export const LiveChange: Story = {
  parameters: { script: { getCredentialStatus: snapshot('active'), stream: 'live' } },
  play: async ({ canvasElement }) => {
    const el = await element(canvasElement, 'credential-status');
    await waitFor(() => expect(el.getAttribute('status')).toBe('active'));
    const changes: string[] = [];
    el.addEventListener('status-changed', (e) => changes.push((e as CustomEvent).detail.newStatus));
    clientOf(canvasElement).streams.at(-1)!.push({
      old_status: 'active',
      new_status: 'suspended',
      enabled: false,
      devices: [],
      updated_at: new Date().toISOString(),
    });
    await waitFor(() => expect(el.getAttribute('status')).toBe('suspended'));
    await expect(changes).toEqual(['suspended']);
  },
};

export const NotFound: Story = {
  parameters: { script: { getCredentialStatus: apiError('not_found', 404), stream: 'none' } },
  play: async ({ canvasElement }) => {
    const el = await element(canvasElement, 'credential-status');
    await part(el, 'error');
  },
};

export const NetworkFailure: Story = {
  parameters: { script: { getCredentialStatus: apiError('network_error', 0), stream: 'none' } },
  play: async ({ canvasElement }) => {
    const el = await element(canvasElement, 'credential-status');
    await part(el, 'retry-button');
  },
};

export const SuspendedDark: Story = { ...Suspended, globals: { theme: 'dark' } };
export const ProvisioningGerman: Story = { ...Provisioning, globals: { locale: 'de' } };
