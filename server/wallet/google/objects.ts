// The Google Wallet objects Keyway writes, shared by the save link and the REST client.

/** The service-account JSON fields Keyway uses. */
export interface GoogleServiceAccount {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri?: string;
}

export type GoogleObjectState = 'ACTIVE' | 'INACTIVE' | 'EXPIRED';

export interface GoogleLocalizedString {
  defaultValue: { language: string; value: string };
}

/** The subset of walletobjects#genericObject Keyway writes (checked against @googleapis/walletobjects in tests). */
export interface GoogleGenericObject {
  id: string;
  classId: string;
  state: GoogleObjectState;
  cardTitle: GoogleLocalizedString;
  subheader: GoogleLocalizedString;
  header: GoogleLocalizedString;
  barcode: { type: 'QR_CODE'; value: string };
  hexBackgroundColor?: string;
  logo?: { sourceUri: { uri: string } };
  smartTapRedemptionValue?: string;
}

export interface GoogleGenericClass {
  id: string;
  /** Where Google sends save/delete callbacks (`PUBLIC_URL/wallet/google/callback`); without it Google never calls back. */
  callbackOptions?: { url: string };
  enableSmartTap?: boolean;
  redemptionIssuers?: string[];
}
