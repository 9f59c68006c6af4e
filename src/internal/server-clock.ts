/**
 * The server's clock as seen from here: phones drift, and token expiries are server instants, so
 * the fetch client records how far the `Date` header of each answer is from the local clock.
 */
export const serverClock = {
  /** Server time minus local time, in ms (0 until an answer came). */
  offset: 0,
  now(): number {
    return Date.now() + this.offset;
  },
  observe(serverDate: Date | null, receivedAt: number = Date.now()): void {
    // Date has 1 s resolution: ignore sub-second noise so a good clock stays at 0.
    const offset = serverDate ? serverDate.getTime() - receivedAt : 0;
    if (Math.abs(offset) >= 1000) this.offset = offset;
    else if (serverDate) this.offset = 0;
  },
};
