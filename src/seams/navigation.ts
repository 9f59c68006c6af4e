/** Same-tab navigation to a pass URL; replaceable so tests do not leave the page. */
export const passNavigator = {
  assign(url: string): void {
    window.location.assign(url);
  },
};
