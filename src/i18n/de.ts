import type { Translation } from './en.js';

const de: Translation = {
  common: {
    tryAgain: 'Erneut versuchen',
    loading: 'Bitte warten…',
    continue: 'Weiter',
    errorPrefix: 'Fehler:',
  },
  errors: {
    network_error: 'Der Server ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.',
    misconfigured: 'Diese Seite ist nicht richtig eingerichtet. Wenden Sie sich an den Betreiber der Website.',
    server_error: 'Bei uns ist etwas schiefgelaufen. Versuchen Sie es gleich noch einmal.',
    unauthorized: 'Ihre Sitzung ist abgelaufen. Beginnen Sie erneut.',
    origin_not_allowed: 'Diese Seite darf den Dienst nicht nutzen. Wenden Sie sich an den Betreiber der Seite.',
    insufficient_scope: 'Diese Seite darf das nicht. Wenden Sie sich an den Betreiber der Seite.',
    credential_disabled: 'Dieser Ausweis wurde von Ihrer Verwaltung deaktiviert. Bitte wenden Sie sich dorthin.',
    not_found: 'Dieser Ausweis wurde nicht gefunden. Wenden Sie sich an Ihre Verwaltung.',
    invitation_not_found: 'Dieser Code wurde nicht erkannt. Prüfen Sie den Code und versuchen Sie es erneut.',
    invitation_expired: 'Dieser Einladungscode ist abgelaufen. Bitten Sie Ihre Verwaltung um einen neuen.',
    invitation_used: 'Dieser Einladungscode wurde bereits verwendet. Bitten Sie Ihre Verwaltung um einen neuen.',
    link_expired: 'Dieser Link ist abgelaufen oder wurde bereits verwendet.',
    invalid_phone_number: 'Geben Sie eine Mobilnummer für das gewählte Land ein, geschrieben wie im Beispiel.',
    phone_not_found: 'Diese Nummer wurde nicht gefunden. Prüfen Sie, ob Ihr Profil diese Nummer enthält.',
    country_not_allowed: 'Nummern aus diesem Land können hier nicht verwendet werden.',
    verification_expired: 'Dieser Code ist abgelaufen. Fordern Sie einen neuen Code an.',
    incorrect_code: 'Der Code ist nicht richtig.',
    too_many_attempts: 'Zu viele falsche Codes.',
    rate_limited: 'Zu viele Versuche.',
    invalid_request: 'Eine Angabe wurde nicht akzeptiert. Prüfen Sie Ihre Eingabe.',
    unknown: 'Etwas ist schiefgelaufen. Versuchen Sie es erneut.',
  },
  retryIn: (seconds, f) => `Versuchen Sie es ${f.duration(seconds)} erneut.`,
  retryNow: 'Sie können es jetzt erneut versuchen.',
  attemptsLeft: (count, f) => (count === 1 ? 'Sie haben noch 1 Versuch.' : `Sie haben noch ${f.n(count)} Versuche.`),
  invite: {
    label: 'Einladungscode',
    hint: '12 Buchstaben und Ziffern, z. B. \u20667KX-9QM-2HR-4TD\u2069',
    submit: 'Code einlösen',
    incomplete: 'Geben Sie alle 12 Zeichen Ihres Einladungscodes ein.',
    success: (name) =>
      name ? `Willkommen, ${name}. Ihre Einladung ist angenommen.` : 'Ihre Einladung ist angenommen.',
  },
  otp: {
    phoneHeading: 'Geben Sie Ihre Mobilnummer ein',
    countryLabel: 'Land',
    countrySearchLabel: 'Länder durchsuchen',
    phoneLabel: 'Mobilnummer',
    phoneHint: 'Wir senden eine SMS mit einem Sicherheitscode an diese Nummer.',
    phoneRequired: 'Geben Sie Ihre Mobilnummer ein.',
    sendCode: 'Code senden',
    codeHeading: 'Prüfen Sie Ihr Telefon',
    codeSentTo: (phone) => `Wir haben eine SMS mit einem Sicherheitscode an \u2066${phone}\u2069 gesendet.`,
    phoneExample: (national, international) => `Zum Beispiel \u2066${national}\u2069 oder \u2066${international}\u2069`,
    codeLasts: (seconds, f) => `Der Code läuft ${f.duration(seconds)} ab.`,
    codeLabel: 'Sicherheitscode',
    codeHint: 'Der Code besteht aus 6 Ziffern.',
    codeRequired: 'Geben Sie den 6-stelligen Sicherheitscode ein.',
    notReceived: 'Keine SMS erhalten?',
    notReceivedHelp:
      'SMS kommen manchmal erst nach einigen Minuten an. Prüfen Sie die Nummer und fordern Sie dann einen neuen Code an.',
    resend: 'Neuen Code senden',
    resendIn: (seconds, f) => `Sie können ${f.duration(seconds)} einen neuen Code anfordern.`,
    resent: 'Ein neuer Code wurde gesendet.',
    changeNumber: 'Mobilnummer ändern',
    lockedOut: 'Zu viele falsche Codes. Beginnen Sie mit einem neuen Code.',
    startAgain: 'Neu beginnen',
    done: 'Ihre Mobilnummer ist bestätigt.',
  },
  wallet: {
    addApple: 'Zu Apple Wallet hinzufügen',
    addGoogle: 'Zu Google Wallet hinzufügen',
    preparing: 'Ihr Ausweis wird vorbereitet…',
    opened: 'Ihr Ausweis wird geöffnet. Folgen Sie den Schritten auf Ihrem Telefon.',
    notOpened: 'Nichts passiert?',
    added: (wallet) => `Ihr Ausweis ist in ${wallet}.`,
    suspended:
      'Ihr Ausweis ist gesperrt und kann jetzt nicht hinzugefügt werden. Ihr Administrator kann ihn wieder freigeben.',
    paused:
      'Ihr Ausweis ist pausiert. Er bleibt in Ihrer Wallet und öffnet wieder Türen, sobald Ihre Verwaltung ihn aktiviert.',
    turnedOff:
      'Ihr Ausweis wurde von Ihrer Verwaltung ausgeschaltet und kann jetzt nicht hinzugefügt werden. Bitten Sie darum, ihn wieder einzuschalten.',
    removed: 'Ihr Ausweis wurde entfernt und kann nicht hinzugefügt werden.',
    appleWallet: 'Apple Wallet',
    googleWallet: 'Google Wallet',
    inAppSafari:
      'Öffnen Sie diese Seite in Safari, um den Ausweis hinzuzufügen: Menü, dann „In Safari öffnen“, oder kopieren Sie den Link unten.',
    appleOnIphone:
      'Apple Wallet gibt es auf dem iPhone. Scannen Sie den QR-Code unten mit Ihrem iPhone, um den Ausweis dort hinzuzufügen.',
    inAppChrome:
      'Öffnen Sie diese Seite in Chrome, um den Ausweis hinzuzufügen: Menü, dann „In Chrome öffnen“, oder kopieren Sie den Link unten.',
  },
  /** "just now", for times under a minute. */
  justNow: 'gerade eben',
};

export default de;
