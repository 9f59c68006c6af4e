// Registers <add-to-wallet> alone (guarded: a tag another copy or version holds is left to it).
import { AddToWallet } from '../elements/add-to-wallet/add-to-wallet.js';
import { defineElement } from '../internal/registry.js';

defineElement('add-to-wallet', AddToWallet);

export { AddToWallet };
