// Registers <keyway-provider> alone (guarded: a tag another copy or version holds is left to it).
import { KeywayProvider } from '../elements/keyway-provider/keyway-provider.js';
import { defineElement } from '../internal/registry.js';

defineElement('keyway-provider', KeywayProvider);

export { KeywayProvider };
