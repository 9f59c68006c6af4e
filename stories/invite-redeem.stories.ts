import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { expect } from 'storybook/test';
import { type Args, mount } from './support/mount.js';
import { element, part, sees, type } from './support/play.js';
import { apiError, grant, type StoryScript } from './support/story-client.js';

const CODE = '7KX-9QM-2HR-4TD';

const meta: Meta<Args> = {
  title: 'Elements/invite-redeem',
  component: 'invite-redeem',
  args: { code: '', 'code-param': false, locale: '' },
  argTypes: {
    code: { control: 'text', description: 'A code to pre-fill.' },
    'code-param': { control: 'boolean', description: 'Read `#code=` / `?code=` from the address and remove it.' },
    locale: { control: 'select', options: ['', 'en', 'de', 'ar'], description: 'Overrides the toolbar locale.' },
    'api-base': { control: 'text' },
    'publishable-key': { control: 'text' },
    token: { control: 'text' },
    'token-expires-at': { control: 'text' },
  },
  render: (args, { parameters }) => mount('invite-redeem', args, { script: parameters.script as StoryScript }),
};
export default meta;

type Story = StoryObj<Args>;

/** Redeems the pre-filled code, as a person pressing the button would. */
async function submit(canvasElement: HTMLElement) {
  const el = await element(canvasElement, 'invite-redeem');
  const input = (await part(el, 'input')) as HTMLInputElement;
  if (!input.value) type(input, CODE);
  (await part(el, 'button')).click();
  return el;
}

export const Idle: Story = {
  play: async ({ canvasElement }) => {
    const el = await element(canvasElement, 'invite-redeem');
    await expect(await part(el, 'input')).toHaveAttribute('autocomplete', 'off');
  },
};

export const Prefilled: Story = {
  args: { code: '7kx9qm2hr4td' },
  play: async ({ canvasElement }) => {
    const el = await element(canvasElement, 'invite-redeem');
    await expect(((await part(el, 'input')) as HTMLInputElement).value).toBe(CODE);
  },
};

export const Loading: Story = {
  args: { code: CODE },
  parameters: { script: { redeemInvitation: 'pending' } },
  play: async ({ canvasElement }) => {
    const el = await submit(canvasElement);
    await expect(await part(el, 'button')).toHaveAttribute('aria-disabled', 'true');
    await part(el, 'spinner');
  },
};

export const IncompleteCode: Story = {
  args: { code: '7KX-9QM' },
  play: async ({ canvasElement }) => {
    const el = await submit(canvasElement);
    await part(el, 'error');
    await expect(await part(el, 'input')).toHaveAttribute('aria-invalid', 'true');
  },
};

const failing = (code: string, status: number, extra?: Parameters<typeof apiError>[2]): Story => ({
  args: { code: CODE },
  parameters: { script: { redeemInvitation: apiError(code, status, extra) } },
  play: async ({ canvasElement }) => {
    const el = await submit(canvasElement);
    await expect(await part(el, 'error')).toHaveAttribute('role', 'alert');
  },
});

export const NotFound = failing('invitation_not_found', 404);
export const Expired = failing('invitation_expired', 410);
export const AlreadyUsed = failing('invitation_used', 409);
export const Disabled = failing('credential_disabled', 403);
export const TooManyTries = failing('rate_limited', 429, { retryAfter: 45 });

export const NetworkFailure: Story = {
  args: { code: CODE },
  parameters: { script: { redeemInvitation: apiError('network_error', 0) } },
  play: async ({ canvasElement }) => {
    const el = await submit(canvasElement);
    await part(el, 'retry-button');
  },
};

export const Success: Story = {
  args: { code: CODE },
  parameters: { script: { redeemInvitation: grant() } },
  play: async ({ canvasElement }) => {
    const el = await submit(canvasElement);
    await part(el, 'success');
    await sees(el, 'Amira');
  },
};

export const ExpiredDark: Story = {
  ...Expired,
  globals: { theme: 'dark' },
  play: async (context) => {
    await Expired.play?.(context);
    // Dark paints the whole canvas, not only the phone-width column.
    await expect(getComputedStyle(document.body).backgroundColor).toBe('rgb(18, 18, 22)');
  },
};
export const ExpiredBrand: Story = { ...Expired, globals: { theme: 'brand' } };
