// Registers <credential-status> alone (guarded: a tag another copy or version holds is left to it).
import { CredentialStatusElement } from '../elements/credential-status/credential-status.js';
import { defineElement } from '../internal/registry.js';

defineElement('credential-status', CredentialStatusElement);

export { CredentialStatusElement };
