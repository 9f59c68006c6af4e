// The built Google objects checked against @googleapis/walletobjects: by `tsc --noEmit` and at run time.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { walletobjects_v1 } from '@googleapis/walletobjects';
import {
  createGoogleSaveLinkBuilder,
  type GoogleGenericClass,
  type GoogleGenericObject,
  type GoogleLocalizedString,
} from '../../server/wallet/google/save-link.js';
import { devChain } from '../fixtures/wallet/dev-chain.js';

type GenericObject = walletobjects_v1.Schema$GenericObject;
type GenericClass = walletobjects_v1.Schema$GenericClass;

/** `true` only when every key of T is a key of Google's schema S (catches misspelt fields). */
type KeysWithin<T, S> = Exclude<keyof T, keyof S> extends never ? true : false;

// A misspelt or unknown field makes one of these `false`, and tsc rejects the assignment.
const objectKeys: KeysWithin<GoogleGenericObject, GenericObject> = true;
const classKeys: KeysWithin<GoogleGenericClass, GenericClass> = true;
const stringKeys: KeysWithin<GoogleLocalizedString, walletobjects_v1.Schema$LocalizedString> = true;
const translatedKeys: KeysWithin<GoogleLocalizedString['defaultValue'], walletobjects_v1.Schema$TranslatedString> =
  true;
const barcodeKeys: KeysWithin<GoogleGenericObject['barcode'], walletobjects_v1.Schema$Barcode> = true;
const imageKeys: KeysWithin<NonNullable<GoogleGenericObject['logo']>, walletobjects_v1.Schema$Image> = true;
const uriKeys: KeysWithin<NonNullable<GoogleGenericObject['logo']>['sourceUri'], walletobjects_v1.Schema$ImageUri> =
  true;

describe('Google objects match @googleapis/walletobjects', () => {
  it('type-checks and carries the required fields', () => {
    assert.ok(objectKeys && classKeys && stringKeys && translatedKeys && barcodeKeys && imageKeys && uriKeys);
    const serviceAccount = JSON.parse(readFileSync(devChain().paths.googleServiceAccount, 'utf8'));
    const builder = createGoogleSaveLinkBuilder({
      serviceAccount,
      issuerId: '3388000000022222222',
      classSuffix: 'keyway_access',
      smartTapIssuers: ['3388000000022222222'],
    });
    // The annotations are the check: a wrong value type here fails `npx tsc --noEmit -p tsconfig.json`.
    const object: GenericObject = builder.googleObject({
      objectId: 'dev_1',
      holderName: 'Ada Lovelace',
      credentialTypeLabel: 'Wallet pass',
      readerValue: 'KWV7Q2M9XR4T8ZP3',
      state: 'ACTIVE',
      brand: { name: 'Acme', color: '#1f4fd1', logoUrl: 'https://acme.example/logo.png' },
    });
    const cls: GenericClass = builder.googleClass();

    // Google requires id, classId, cardTitle and header on a generic object, and id on a class.
    for (const field of ['id', 'classId', 'cardTitle', 'header', 'state', 'barcode'] as const)
      assert.ok(object[field], field);
    assert.match(object.id!, /^3388000000022222222\.[\w.-]+$/);
    assert.equal(object.classId, cls.id);
    assert.ok(object.header?.defaultValue?.language && object.header.defaultValue.value);
    assert.ok(['ACTIVE', 'INACTIVE', 'EXPIRED', 'COMPLETED'].includes(object.state!));
    assert.ok(['QR_CODE'].includes(object.barcode!.type!));
    assert.match(object.hexBackgroundColor!, /^#[0-9a-f]{6}$/i);
    assert.equal(object.smartTapRedemptionValue, 'KWV7Q2M9XR4T8ZP3');
    assert.equal(cls.enableSmartTap, true);
    assert.deepEqual(cls.redemptionIssuers, ['3388000000022222222']);
  });
});
