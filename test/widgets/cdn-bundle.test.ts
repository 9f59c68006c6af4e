// The built dist/cdn/keyway.js on a partner page with docs/elements.md's CSP, against the real server.
// test/run-widgets.sh builds it first when it is missing or older than src/.
import { expect } from '@open-wc/testing';
import { invitePerson } from './helpers/real-server.js';

interface CdnReport {
  violations: string[];
  failure?: string;
  defined: string[];
  prefilled: string;
  fragmentAtLoad: string;
  fragmentAfter: string;
  credentialId: string;
  errors: string[];
  qrSrc: string;
  scripts: string[];
}

async function openCdnPage(fragment: string): Promise<CdnReport> {
  const frame = document.createElement('iframe');
  frame.title = 'Partner page with the CDN bundle';
  const report = new Promise<CdnReport>((resolve) => {
    window.addEventListener('message', function onMessage(event) {
      if (event.source !== frame.contentWindow || !event.data?.keywayCdn) return;
      window.removeEventListener('message', onMessage);
      resolve(event.data as CdnReport);
    });
  });
  frame.src = `/__keyway/cdn.html${fragment}`;
  document.body.append(frame);
  try {
    return await report;
  } finally {
    frame.remove();
  }
}

describe('dist/cdn/keyway.js in a browser', () => {
  it('registers the five tags, redeems from #code=, loads its lazy chunks, and breaks no partner CSP rule', async function () {
    (this as { timeout(ms: number): void }).timeout(30_000);
    const invitation = await invitePerson();
    const result = await openCdnPage(`#code=${invitation.code}`);
    expect(result.failure, result.failure).to.equal(undefined);
    expect(result.defined).to.have.members([
      'keyway-provider',
      'invite-redeem',
      'sms-otp-verify',
      'add-to-wallet',
      'credential-status',
    ]);
    expect(result.violations).to.deep.equal([]);
    expect(result.errors).to.deep.equal([]);

    // code-param: read from the fragment, then removed from the address bar.
    expect(result.prefilled).to.equal(invitation.code);
    expect(result.fragmentAtLoad).to.equal(`#code=${invitation.code}`);
    expect(result.fragmentAfter).to.equal('');
    expect(result.credentialId).to.equal(invitation.credentialId);
    expect(result.qrSrc).to.match(/^data:image\/svg\+xml/);

    // Only built files were loaded, and the lazy ones came as their own chunks.
    const loaded = result.scripts.map((path) => path.replace('/dist/cdn/', ''));
    expect(loaded).to.include('keyway.js');
    for (const chunk of ['phone-', 'qr-', 'handoff-', 'troubleshooting-']) {
      expect(
        loaded.some((file) => file.startsWith(chunk)),
        `${chunk}*.js loaded lazily`,
      ).to.equal(true);
    }
  });
});
