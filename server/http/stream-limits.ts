import { ApiError } from '../domain/errors.js';

/**
 * Open status streams in this process, at most KEYWAY_MAX_STREAMS (one process's memory; docs/security.md,
 * "streams"); the per-token and per-client caps are the deployment's (shared-limits.ts).
 * `acquire` hands back a release function, or throws 429 too_many_streams.
 */
export function processStreamCap(maxStreams: number) {
  let open = 0;
  return {
    acquire(): () => void {
      if (open >= maxStreams)
        throw new ApiError(
          'too_many_streams',
          'This server holds as many open status streams as it can.',
          undefined,
          30,
        );
      open++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        open--;
      };
    },
  };
}
