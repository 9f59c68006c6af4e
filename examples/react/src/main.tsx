// A React 19 partner page: the elements are plain JSX tags; React 19 sets their properties and
// adds a listener for each `on<event-name>` prop, typed by @keyway/elements/react.
import '@keyway/elements/define';
import type { CredentialStatus } from '@keyway/elements';
import type {} from '@keyway/elements/react';
import { useState } from 'react';
import { createRoot } from 'react-dom/client';

const meta = (name: string) => document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)!.content;

type Step = 'redeem' | 'wallet' | 'status';

function DoorPass({ apiBase, publishableKey }: { apiBase: string; publishableKey: string }) {
  const [step, setStep] = useState<Step>('redeem');
  const [message, setMessage] = useState('');
  const [status, setStatus] = useState<CredentialStatus | null>(null);
  return (
    <>
      <h1>Your Acme Offices door pass</h1>
      <keyway-provider
        apiBase={apiBase}
        publishableKey={publishableKey}
        onkeyway-error={(event) => setMessage(`Something went wrong: ${event.detail.message}`)}
      >
        {step === 'redeem' && (
          <invite-redeem
            oninvite-redeemed={(event) => {
              setMessage(`Invitation accepted (${event.detail.credential.status}).`);
              setStep('wallet');
            }}
          />
        )}
        {step !== 'redeem' && (
          <add-to-wallet
            onpass-requested={(event) => {
              setMessage(`Opening ${event.detail.platform === 'apple' ? 'Apple' : 'Google'} Wallet…`);
              setStep('status');
            }}
          />
        )}
        {step === 'status' && <credential-status onstatus-changed={(event) => setStatus(event.detail.newStatus)} />}
      </keyway-provider>
      <p role="status">{status ? `Your pass is now ${status}.` : message}</p>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <DoorPass apiBase={meta('keyway-url')} publishableKey={meta('keyway-publishable-key')} />,
);
