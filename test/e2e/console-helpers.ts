// What every console test in Chromium needs: axe over the page (shadow roots included) and a
// virtual WebAuthn authenticator (the DevTools protocol), so a passkey is made and used without a person.
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { axeViolations } from './browser.js';

/** Fails with every axe-core violation on the page as it stands, shadow roots included. */
export async function axe(page: Page, where: string): Promise<void> {
  assert.deepEqual(await axeViolations(page), [], `axe on ${where}`);
}

/** A platform authenticator with user verification, as a phone or laptop with a passkey has. */
export async function addVirtualAuthenticator(context: BrowserContext, page: Page): Promise<void> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
    },
  });
}
