import { ContextProvider } from '@lit/context';
import { css, html, LitElement, type PropertyDeclarations } from 'lit';
import type { KeywayClient } from '../../client/keyway-client.js';
import { type KeywayConfig, keywayContext } from '../../context.js';
import type { ProvisioningDetail } from '../../events.js';

/**
 * Configures every Keyway element inside it: any attribute an element lacks comes from here.
 * When an element inside redeems an invitation or verifies a phone, the provider adopts the new
 * provisioning token and credential, so a following `<add-to-wallet>` or `<credential-status>`
 * can use them without page code.
 *
 * @tag keyway-provider
 * @summary Shared `api-base`, `publishable-key`, `token`, `locale` and client for nested elements.
 *
 * @slot - The Keyway elements (and anything else).
 */
export class KeywayProvider extends LitElement {
  static override styles = css`
    :host {
      display: contents;
    }
  `;

  static override properties: PropertyDeclarations = {
    apiBase: { attribute: 'api-base' },
    publishableKey: { attribute: 'publishable-key' },
    token: {},
    tokenExpiresAt: { attribute: 'token-expires-at' },
    credentialId: { attribute: 'credential-id' },
    locale: {},
    client: { attribute: false },
  };

  /** The server's origin; elements append `/api/3/…`. */
  declare apiBase?: string;

  /** `pk_…` key for redeem and verification. */
  declare publishableKey?: string;

  /** `cs_…` or `ps_…` session token. */
  declare token?: string;

  /** When `token` lapses (ISO-8601). */
  declare tokenExpiresAt?: string;

  /** The credential the nested elements act on. */
  declare credentialId?: string;

  /** BCP-47 language for the nested elements. */
  declare locale?: string;

  /** The HTTP client for the nested elements; hand in a scripted one for stories and tests. */
  declare client?: KeywayClient;

  private readonly provider = new ContextProvider(this, { context: keywayContext, initialValue: {} as KeywayConfig });

  constructor() {
    super();
    const adopt = (event: CustomEvent<ProvisioningDetail>) => {
      this.token = event.detail.provisioningToken;
      this.tokenExpiresAt = event.detail.expiresAt;
      this.credentialId = event.detail.credential.id;
    };
    this.addEventListener('invite-redeemed', adopt);
    this.addEventListener('otp-verified', adopt);
  }

  override willUpdate(): void {
    this.provider.setValue({
      apiBase: this.apiBase,
      publishableKey: this.publishableKey,
      token: this.token,
      tokenExpiresAt: this.tokenExpiresAt,
      credentialId: this.credentialId,
      locale: this.locale,
      client: this.client,
    });
  }

  override render() {
    return html`<slot></slot>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'keyway-provider': KeywayProvider;
  }
}
