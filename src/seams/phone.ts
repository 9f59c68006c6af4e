import type { PhoneUtil } from './phone-types.js';

export type { CountryOption, PhoneUtil } from './phone-types.js';

async function loadLibphonenumber(): Promise<PhoneUtil> {
  // Lazy: the metadata is the heaviest thing the widgets use, and only the phone step needs it.
  return (await import('../internal/phone-util.js')).libphonenumberUtil;
}

/** Loads libphonenumber-js once; tests and hosts may swap the loader. */
export const phoneUtilManager = {
  loader: loadLibphonenumber as () => Promise<PhoneUtil>,
  util: undefined as PhoneUtil | undefined,
  pending: undefined as Promise<PhoneUtil> | undefined,
  load(): Promise<PhoneUtil> {
    this.pending ??= this.loader().then((util) => (this.util = util));
    return this.pending;
  },
  /** Replaces the loader (and forgets what was loaded). */
  setLoader(loader: () => Promise<PhoneUtil>): void {
    this.loader = loader;
    this.util = undefined;
    this.pending = undefined;
  },
};
