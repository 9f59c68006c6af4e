import { AddToWallet, CredentialStatusElement, InviteRedeem, KeywayProvider, SmsOtpVerify } from '../../src/index.js';
import { StoryClient, type StoryScript } from './story-client.js';

// Registered here rather than by importing src/define.ts: package.json marks only dist/define.js as
// having side effects, so a production Storybook build would drop that import.
const TAGS: [string, CustomElementConstructor][] = [
  ['keyway-provider', KeywayProvider],
  ['invite-redeem', InviteRedeem],
  ['sms-otp-verify', SmsOtpVerify],
  ['add-to-wallet', AddToWallet],
  ['credential-status', CredentialStatusElement],
];
for (const [tag, element] of TAGS) if (!customElements.get(tag)) customElements.define(tag, element);

export type Args = Record<string, string | boolean | number | undefined | null>;

export interface MountOptions {
  script?: StoryScript;
  /** Attributes for the surrounding `<keyway-provider>` (the token, credential, locale). */
  provider?: Record<string, string>;
  /** Properties set on the element after creation (e.g. a user agent for in-app previews). */
  props?: Record<string, unknown>;
  /** Light-DOM children (slots). */
  children?: string;
}

/**
 * Renders `<keyway-provider>` with a scripted client around one element whose attributes are
 * the story's args, so every control maps to the attribute of the same name.
 */
export function mount(tag: string, args: Args, options: MountOptions = {}): HTMLElement {
  forgetRedemptions();
  const provider = document.createElement('keyway-provider') as KeywayProvider;
  provider.setAttribute('api-base', 'https://keyway.example');
  provider.setAttribute('publishable-key', 'pk_story_publishable_key_0000');
  for (const [name, value] of Object.entries(options.provider ?? {})) provider.setAttribute(name, value);
  provider.client = new StoryClient(options.script);
  if (tag === 'keyway-provider') return provider;
  const element = document.createElement(tag);
  setAttributes(element, args);
  Object.assign(element, options.props ?? {});
  if (options.children) element.innerHTML = options.children;
  provider.append(element);
  return provider;
}

/**
 * Each story starts as a fresh tab: `<invite-redeem>` keeps a code's live session in
 * sessionStorage (a reload resumes it), so a story that redeemed the shared story code would
 * otherwise answer the next story's press from memory, without its scripted answer.
 */
function forgetRedemptions(): void {
  for (const key of Object.keys(sessionStorage)) if (key.startsWith('keyway.redeem.')) sessionStorage.removeItem(key);
}

export function setAttributes(element: Element, args: Args): void {
  for (const [name, value] of Object.entries(args)) {
    // Args are keyed by attribute name; camelCase keys are the manifest's property rows.
    if (!/^[a-z][a-z-]*$/.test(name)) continue;
    if (value === undefined || value === null || value === false || value === '') element.removeAttribute(name);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
}

/** The story client of a mounted provider, for play functions that push live events. */
export function clientOf(canvas: HTMLElement): StoryClient {
  return (canvas.querySelector('keyway-provider') as KeywayProvider).client as StoryClient;
}
