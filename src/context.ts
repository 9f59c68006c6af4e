import { createContext } from '@lit/context';
import type { KeywayClient } from './client/keyway-client.js';

/** What `<keyway-provider>` hands to the elements inside it. */
export interface KeywayConfig {
  apiBase?: string;
  publishableKey?: string;
  token?: string;
  tokenExpiresAt?: string;
  credentialId?: string;
  locale?: string;
  client?: KeywayClient;
}

export const keywayContext = createContext<KeywayConfig>(Symbol.for('keyway-config'));
