/** Time as the server reads it: injected (tests pass a TestClock), ISO-8601 strings in the database. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export const nowIso = (deps: { clock: Clock }): string => deps.clock.now().toISOString();
export const addSeconds = (iso: string, seconds: number): string =>
  new Date(Date.parse(iso) + seconds * 1000).toISOString();
