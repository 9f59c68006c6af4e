// The partner's own script: where the server is, and what to show after each event.
const meta = (name) => document.querySelector(`meta[name="${name}"]`).content;
const provider = document.getElementById('keyway');
provider.apiBase = meta('keyway-url');
provider.publishableKey = meta('keyway-publishable-key');

const log = document.getElementById('log');
provider.addEventListener('invite-redeemed', (event) => {
  // The provider adopts the provisioning token itself; the page only moves on.
  log.textContent = `Invitation accepted (${event.detail.credential.status}).`;
  document.getElementById('redeem').hidden = true;
  document.getElementById('wallet').hidden = false;
});
provider.addEventListener('pass-requested', (event) => {
  log.textContent = `Opening ${event.detail.platform === 'apple' ? 'Apple' : 'Google'} Wallet…`;
  document.getElementById('status').hidden = false;
});
provider.addEventListener('status-changed', (event) => {
  log.textContent = `Your pass is now ${event.detail.newStatus}.`;
});
provider.addEventListener('keyway-error', (event) => {
  log.textContent = `Something went wrong: ${event.detail.message}`;
});
