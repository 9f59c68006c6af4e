// Generated from the server's /openapi.json by openapi-typescript (npm run api-types). Do not edit:
// test/server/api-types.test.ts fails when this is not what the document generates now.

export interface paths {
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Process alive */
        get: operations["get_healthz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Database reachable, migrations applied, signer loaded */
        get: operations["get_readyz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/people": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List people (filter by phone or email) */
        get: operations["get_people"];
        put?: never;
        /**
         * Create a person
         * @description The person, with their new id. An `external_id` another living person has → 409 `external_id_taken`.
         */
        post: operations["post_people"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/people/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Import people from a CSV file (dry run first)
         * @description The body is the file itself (UTF-8 with or without a BOM, UTF-16 with a BOM, else Windows-1252; `,` `;` or tab separated, detected from the header row; at most 10 MB, else 413 `payload_too_large`). The header row names the columns: first_name and last_name are required (else 422 `csv_invalid`), email, phone, external_id, credential_type_id and delivery optional. Each row of the range is create, update, unchanged or refused with a `reason_code`. A person is found again by external_id, else by email; an empty cell leaves what is stored. With dry_run=false the range is written in one transaction, so applying the same file again answers every row unchanged. At most 10,000 rows a request (offset and limit).
         */
        post: operations["importPeople"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/people/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a person */
        get: operations["get_people_id"];
        /**
         * Update a person
         * @description The person as updated: only the fields given change. `external_id: null` removes it; one another living person has → 409 `external_id_taken`.
         */
        put: operations["put_people_id"];
        post?: never;
        /** Delete a person (revokes their credentials) */
        delete: operations["delete_people_id"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/credential_types": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List credential types */
        get: operations["get_credential_types"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/people/{id}/credentials": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List a person’s credentials */
        get: operations["get_people_id_credentials"];
        put?: never;
        /**
         * Issue a credential
         * @description A value another live credential holds → 409 `value_in_use` (a person’s card number on that person’s wallet pass excepted). A wallet pass (type 9) starts `invited` with an invitation code; card (1) and PIN (6) are `active` at once. HID Mobile Access (type 8, when HID Origo is configured) starts `invited` with HID Origo’s code and no `invitation_url`; Origo down or slow → 503 `upstream_unavailable` and nothing is stored.
         */
        post: operations["post_people_id_credentials"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/people/{id}/credentials/{cid}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a credential */
        get: operations["get_people_id_credentials_cid"];
        /**
         * Enable or disable a credential
         * @description An HID badge (type 10) a wallet holds is suspended or resumed at HID Origo first: Origo down or slow → `503 upstream_unavailable`; wallet badges no longer configured on this server → `422 hid_not_configured`. Nothing is changed either way.
         */
        put: operations["put_people_id_credentials_cid"];
        post?: never;
        /** Revoke a credential */
        delete: operations["delete_people_id_credentials_cid"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/people/{id}/credentials/{cid}/devices/{device_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke one phone */
        delete: operations["delete_people_id_credentials_cid_devices_device_id"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/credentials/{cid}/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Where a credential stands */
        get: operations["get_credentials_cid_status"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/credentials/{cid}/status/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Live status (Server-Sent Events)
         * @description `event: status` with `id:` and `data: {credential_id,old_status,new_status,enabled,devices,updated_at}`; a snapshot first (`old_status: null`), device changes too, `: heartbeat` every 15 s, `Last-Event-ID` resumes; the stream stays open after terminal states until the client closes it, and ends when its token expires. At most 5 open streams per token, 100 per client IP and KEYWAY_MAX_STREAMS per process (429 too_many_streams).
         */
        get: operations["get_credentials_cid_status_stream"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/people/{id}/credentials/{cid}/invitation": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Re-issue the invitation (new code; the old one dies) */
        post: operations["post_people_id_credentials_cid_invitation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/invitations/redeem": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Redeem an invitation code
         * @description Case, spaces, dashes and Crockford look-alikes (O→0, I/L→1) are forgiven. Moves the credential invited → provisioning.
         */
        post: operations["post_invitations_redeem"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/client_sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mint a client session (cs_) for one person */
        post: operations["post_client_sessions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The audit log, newest first (filter by type, subject, actor, time) */
        get: operations["get_events"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/passes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Request a wallet pass (a new device)
         * @description Creates a pending device with its own serial number, authentication token and (per-device mode) reader value. Apple: a one-time .pkpass URL valid 15 minutes; Google: the save URL. Credentials in provisioning or active only; a publishable key is 401. For an HID badge (type 10): Apple → `apple_provisioning` (the payload for Apple’s provisioning window, from HID’s web provisioning, spending the issuance token); Google → `428 google_sign_in_required` (with `details.client_id`) until `id_token` is given, then the save URL; a forged ID token (or one not signed RS256) → `401 google_sign_in_invalid`; Google’s ID-token keys unreachable → `503 upstream_unavailable`; a spent or expired issuance token is replaced once (never while HID Origo reports a wallet holding or adding the badge: then `409 provisioning_unavailable`), then `409 provisioning_unavailable`; HID Origo down or slow → `503 upstream_unavailable`; a badge left from before wallet badges were switched off on this server → `422 hid_not_configured`.
         */
        post: operations["post_passes"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/passes/platforms": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Which wallets an HID badge can be added to
         * @description For an HID badge (type 10): the wallets its HID pass template supports (HID web provisioning’s `platforms`, asked once) that this server offers. Other credentials are 404; wallet badges no longer configured on this server → `422 hid_not_configured`.
         */
        post: operations["post_passes_platforms"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/passes/{download_token}.pkpass": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download a signed Apple Wallet pass (once)
         * @description No header or cookie needed: the token in the path is the authority. A second fetch is 410 link_expired.
         */
        get: operations["get_passes_download_token_pkpass"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/handoffs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A hand-off link for a desktop QR code
         * @description PUBLIC_URL/p#h=<token>: single use, valid 5 minutes, never the session token itself.
         */
        post: operations["post_handoffs"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/handoffs/redeem": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Redeem a hand-off on the phone
         * @description Once; then 410 link_expired. The provisioning token is bound to PUBLIC_URL. Counts against the per-IP redeem limit.
         */
        post: operations["post_handoffs_redeem"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/verifications": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Text a one-time code and link to a mobile number
         * @description One SMS carries a 6-digit code (10 minutes) and a link /v/{token}; its last line is `@<host> #<code>` for WebOTP and iOS autofill. Unknown or disabled numbers answer exactly like known ones (KEYWAY_UNKNOWN_NUMBER_POLICY=conceal) or 404 phone_not_found (reveal).
         */
        post: operations["post_verifications"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/verifications/{id}/check": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Check a one-time code
         * @description Spaces and dashes allowed. Wrong → 422 incorrect_code with details.attempts_left; the 5th wrong and every later check → 429 too_many_attempts.
         */
        post: operations["post_verifications_id_check"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/verifications/{id}/resend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Text a new code (the old one dies)
         * @description At least 60 s apart and at most 5 sends per verification; before resend_after → 429 rate_limited with Retry-After.
         */
        post: operations["post_verifications_id_resend"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/access/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Does this reader value open a door now?
         * @description Allowed only for a value of a pending or active device (per-device mode) or the shared value, on an enabled credential in provisioning or active. Every check is an access.checked event. Scope account.access (a door controller key) or account.person; refused checks count at most 100 a minute per key (429 after).
         */
        post: operations["post_access_verify"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List webhook endpoints */
        get: operations["get_webhooks"];
        put?: never;
        /**
         * Subscribe an endpoint to events
         * @description Deliveries carry Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`) and `X-Keyway-Signature`: the hex HMAC-SHA256 of the raw body keyed with the `whsec_…` secret as shown. The secret is shown only here and on rotation.
         */
        post: operations["post_webhooks"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/webhooks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read a webhook endpoint */
        get: operations["get_webhooks_id"];
        put?: never;
        post?: never;
        /** Delete a webhook endpoint */
        delete: operations["delete_webhooks_id"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/webhooks/{id}/rotate_secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Rotate the signing secret
         * @description For 24 h both secrets sign: `webhook-signature` carries two space-separated signatures and `X-Keyway-Signature-Previous` the old hex one.
         */
        post: operations["post_webhooks_id_rotate_secret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/webhooks/{id}/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a webhook.test event */
        post: operations["post_webhooks_id_test"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/webhooks/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Delivery history, newest first */
        get: operations["get_webhooks_id_deliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/wallet/apple/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}/{serialNumber}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Register a phone for a pass’s updates
         * @description `Authorization: ApplePass <authenticationToken>`. 201 when new, 200 when already registered. The first registration makes the device and its credential active.
         */
        post: operations["post_wallet_apple_v1_devices_deviceLibraryIdentifier_registrations_passTypeIdentifier_serialNumber"];
        /** Unregister a phone */
        delete: operations["delete_wallet_apple_v1_devices_deviceLibraryIdentifier_registrations_passTypeIdentifier_serialNumber"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/wallet/apple/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Serial numbers of this phone’s passes updated since a tag
         * @description No authentication (Apple sends none): it names serial numbers only.
         */
        get: operations["get_wallet_apple_v1_devices_deviceLibraryIdentifier_registrations_passTypeIdentifier"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/wallet/apple/v1/passes/{passTypeIdentifier}/{serialNumber}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The latest version of a pass
         * @description Honours If-Modified-Since (304); answers Last-Modified. Voided after a revoke.
         */
        get: operations["get_wallet_apple_v1_passes_passTypeIdentifier_serialNumber"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/wallet/apple/v1/log": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Wallet’s error log for this web service */
        post: operations["post_wallet_apple_v1_log"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/wallet/google/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Google Wallet save/delete callback
         * @description ECv2SigningOnly, verified with the keys from KEYWAY_GOOGLE_CALLBACK_KEYS (a file or URL; in production by default the keys Google publishes); deduplicated by nonce. A save makes the device and its credential active. 401 when the signature does not verify or callbacks are off; 503 `upstream_unavailable` when the keys could never be fetched (Google tries again).
         */
        post: operations["post_wallet_google_callback"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/hid/origo/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * HID Origo event callback
         * @description A CloudEvents batch (`application/cloudevents-batch+json`) from HID Origo, authenticated by `Authorization` equal to KEYWAY_HID_ORIGO_CALLBACK_SECRET. Keyway re-reads the users the events name from Origo; the events themselves are never taken as state.
         */
        post: operations["post_hid_origo_callback"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/staff": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List staff members and their passkeys (console admins) */
        get: operations["get_staff"];
        put?: never;
        /**
         * Invite a staff member (or give one a new enrolment link)
         * @description The enrolment link (24 h, single use) is shown in this answer only.
         */
        post: operations["post_staff"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/staff/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Change a staff member’s role, name, or disable them (ends their sessions) */
        put: operations["put_staff_id"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/3/staff/{id}/passkeys/{passkey_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove one of a staff member’s passkeys (never the last) */
        delete: operations["delete_staff_id_passkeys_passkey_id"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface webhooks {
    "credential.created": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The credential.created event */
        post: operations["webhook_credential_created"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "credential.status_changed": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The credential.status_changed event */
        post: operations["webhook_credential_status_changed"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "device.added": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The device.added event */
        post: operations["webhook_device_added"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "device.revoked": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The device.revoked event */
        post: operations["webhook_device_revoked"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "verification.succeeded": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The verification.succeeded event */
        post: operations["webhook_verification_succeeded"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "certificate.expiring": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The certificate.expiring event */
        post: operations["webhook_certificate_expiring"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "webhook.test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A test delivery (POST …/webhooks/{id}/test) */
        post: operations["webhook_webhook_test"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export interface components {
    schemas: {
        WebhookCredentialCreated: {
            /** @enum {string} */
            event: "credential.created";
            credential_id: string;
            person_id: number;
            /** @description ISO-8601 UTC, to the second */
            timestamp: string;
            /** @description Increases per credential: order retried deliveries by it */
            sequence: number;
            /** @enum {string} */
            status: "invited" | "provisioning" | "active" | "suspended" | "revoking" | "revoked" | "expired";
            credential_type_id: number;
        };
        WebhookCredentialStatusChanged: {
            /** @enum {string} */
            event: "credential.status_changed";
            credential_id: string;
            person_id: number;
            /** @description ISO-8601 UTC, to the second */
            timestamp: string;
            /** @description Increases per credential: order retried deliveries by it */
            sequence: number;
            /** @enum {string} */
            old_status: "invited" | "provisioning" | "active" | "suspended" | "revoking" | "revoked" | "expired";
            /** @enum {string} */
            new_status: "invited" | "provisioning" | "active" | "suspended" | "revoking" | "revoked" | "expired";
            /** @description Devices a revocation stopped waiting for (never confirmed the voided pass) */
            given_up_devices?: string[];
        };
        WebhookDeviceAdded: {
            /** @enum {string} */
            event: "device.added";
            credential_id: string;
            person_id: number;
            /** @description ISO-8601 UTC, to the second */
            timestamp: string;
            /** @description Increases per credential: order retried deliveries by it */
            sequence: number;
            device_id: string;
            /** @enum {string} */
            platform: "apple" | "google" | "hid";
            /** @description HID Mobile Access only: the phone model Origo reports */
            model?: string;
            /**
             * @description HID wallet badges (type 10) only: the wallet device HID Origo reports
             * @enum {string}
             */
            kind?: "iphone" | "watch" | "android";
        };
        WebhookDeviceRevoked: {
            /** @enum {string} */
            event: "device.revoked";
            credential_id: string;
            person_id: number;
            /** @description ISO-8601 UTC, to the second */
            timestamp: string;
            /** @description Increases per credential: order retried deliveries by it */
            sequence: number;
            device_id: string;
            /** @enum {string} */
            platform: "apple" | "google" | "hid";
        };
        WebhookVerificationSucceeded: {
            /** @enum {string} */
            event: "verification.succeeded";
            credential_id: string;
            person_id: number;
            /** @description ISO-8601 UTC, to the second */
            timestamp: string;
            /** @description Increases per credential: order retried deliveries by it */
            sequence: number;
            verification_id: string;
            /** @enum {string} */
            method: "code" | "link";
        };
        /** @description No credential: a deployment-wide warning (docs/operations.md) */
        WebhookCertificateExpiring: {
            /** @enum {string} */
            event: "certificate.expiring";
            /**
             * @description The pass certificate or the WWDR intermediate
             * @enum {string}
             */
            certificate: "pass" | "wwdr";
            subject: string;
            /** @description The first 16 hex digits of its SHA-256 fingerprint */
            fingerprint: string;
            not_after: string;
            days_left: number;
            /** @description Sent once at each of 30, 14, 7 and 1 days before expiry */
            threshold_days: 30 | 14 | 7 | 1;
            /** @description ISO-8601 UTC, to the second */
            timestamp: string;
        };
        WebhookWebhookTest: {
            /** @enum {string} */
            event: "webhook.test";
            webhook_id: string;
            timestamp: string;
            /** @enum {number} */
            sequence: 0;
        };
        Error500: {
            error: {
                /** @enum {string} */
                code: "internal_error";
                message: string;
                /** @description invalid_request: `fields` (field → message); incorrect_code: `attempts_left`; unknown_credential_type: `available` */
                details?: {
                    [key: string]: unknown;
                };
            };
        };
        Readiness: {
            ok: boolean;
            /** @description Each check: `ok`, or what is wrong — only with `Authorization: Bearer <KEYWAY_METRICS_TOKEN>` (in development without a token, to anyone), `failing` for anyone else */
            checks: {
                [key: string]: string;
            };
            /** @description Days to expiry of the pass certificate and the WWDR (SPEC §15), and of the next pass certificate (KEYWAY_APPLE_NEXT_CERT) while one waits to be rolled in; only with `Authorization: Bearer <KEYWAY_METRICS_TOKEN>` (always in development) */
            certificates?: {
                /** @enum {string} */
                certificate: "pass" | "wwdr" | "next";
                not_after: string;
                /** @description Whole days to expiry */
                days: number;
            }[];
        };
        Person: {
            id: number;
            first_name: string;
            last_name: string;
            email: string | null;
            phone: string | null;
            /** @description The operator’s own id, set through the API or the CSV import */
            external_id: string | null;
            enabled: boolean;
            group_ids: number[];
            created_at: string;
            updated_at: string;
        };
        Error400: {
            error: {
                /** @enum {string} */
                code: "invalid_request" | "invalid_json" | "invalid_phone_number";
                message: string;
                /** @description invalid_request: `fields` (field → message); incorrect_code: `attempts_left`; unknown_credential_type: `available` */
                details?: {
                    [key: string]: unknown;
                };
            };
        };
        Error401: {
            error: {
                /** @enum {string} */
                code: "unauthorized" | "google_sign_in_invalid";
                message: string;
                /** @description invalid_request: `fields` (field → message); incorrect_code: `attempts_left`; unknown_credential_type: `available` */
                details?: {
                    [key: string]: unknown;
                };
            };
        };
        Error403: {
            error: {
                /** @enum {string} */
                code: "origin_not_allowed" | "insufficient_scope" | "credential_disabled" | "handoff_not_allowed";
                message: string;
                /** @description invalid_request: `fields` (field → message); incorrect_code: `attempts_left`; unknown_credential_type: `available` */
                details?: {
                    [key: string]: unknown;
                };
            };
        };
        Error409: {
            error: {
                /** @enum {string} */
                code: "invalid_transition" | "invitation_used" | "value_in_use" | "external_id_taken" | "idempotency_in_progress" | "provisioning_unavailable";
                message: string;
                /** @description invalid_request: `fields` (field → message); incorrect_code: `attempts_left`; unknown_credential_type: `available` */
                details?: {
                    [key: string]: unknown;
                };
            };
        };
        Error413: {
            error: {
                /** @enum {string} */
                code: "payload_too_large";
                message: string;
                /** @description invalid_request: `fields` (field → message); incorrect_code: `attempts_left`; unknown_credential_type: `available` */
                details?: {
                    [key: string]: unknown;
                };
            };
        };
        Error422: {
            error: {
                /** @enum {string} */
                code: "incorrect_code" | "unknown_credential_type" | "country_not_allowed" | "idempotency_mismatch" | "email_not_configured" | "csv_invalid" | "hid_not_configured";
                message: string;
                /** @description invalid_request: `fields` (field → message); incorrect_code: `attempts_left`; unknown_credential_type: `available` */
                details?: {
                    [key: string]: unknown;
                };
            };
        };
        Error503: {
            error: {
                /** @enum {string} */
                code: "service_unavailable" | "upstream_unavailable";
                message: string;
                /** @description invalid_request: `fields` (field → message); incorrect_code: `attempts_left`; unknown_credential_type: `available` */
                details?: {
                    [key: string]: unknown;
                };
            };
        };
        PersonInput: {
            first_name: string;
            last_name: string;
            /** Format: email */
            email?: string | null;
            /** @description E.164, or national with the key’s or KEYWAY_DEFAULT_COUNTRY’s country */
            phone?: string | null;
            /** @description An alias of `phone` (the seed documents use both); giving both with different values is 400 */
            phone_number?: string | null;
            /** @description The operator’s own id for the person, what the CSV import finds them by: unique among living people (another’s → 409 `external_id_taken`); null removes it */
            external_id?: string | null;
            enabled?: boolean;
            group_ids?: number[];
        };
        ImportResult: {
            dry_run: boolean;
            /** @example utf-8 */
            encoding: string;
            /** @example ; */
            separator: string;
            columns: string[];
            ignored_columns: string[];
            total_rows: number;
            offset: number;
            limit: number;
            counts: {
                create: number;
                update: number;
                unchanged: number;
                refused: number;
            };
            rows: components["schemas"]["ImportRow"][];
        };
        ImportRow: {
            /** @description The data row (0-based) */
            index: number;
            /** @description Where the row starts in the file; the header is line 1 */
            line: number;
            /** @enum {string} */
            action: "create" | "update" | "unchanged" | "refused";
            person_id: number | null;
            first_name: string;
            last_name: string;
            email: string | null;
            external_id: string | null;
            /** @description Fields an update changes; `credential` when one is issued */
            changes: string[];
            /** @description Why a row is refused (docs/console.md lists them) */
            reason_code: string | null;
            reason: string | null;
            credential_id: string | null;
        };
        Error404: {
            error: {
                /** @enum {string} */
                code: "not_found" | "invitation_not_found" | "phone_not_found";
                message: string;
                /** @description invalid_request: `fields` (field → message); incorrect_code: `attempts_left`; unknown_credential_type: `available` */
                details?: {
                    [key: string]: unknown;
                };
            };
        };
        PersonUpdate: {
            first_name?: string;
            last_name?: string;
            /** Format: email */
            email?: string | null;
            /** @description E.164, or national with the key’s or KEYWAY_DEFAULT_COUNTRY’s country */
            phone?: string | null;
            /** @description An alias of `phone` (the seed documents use both); giving both with different values is 400 */
            phone_number?: string | null;
            /** @description The operator’s own id for the person, what the CSV import finds them by: unique among living people (another’s → 409 `external_id_taken`); null removes it */
            external_id?: string | null;
            enabled?: boolean;
            group_ids?: number[];
        };
        CredentialType: {
            id: number;
            name: string;
            format: string;
            description: string;
        };
        PersonCredential: {
            /** @example cred_4kQ2… */
            id: string;
            credential_type_id: number;
            person_id: number;
            /** @enum {string} */
            status: "invited" | "provisioning" | "active" | "suspended" | "revoking" | "revoked" | "expired";
            enabled: boolean;
            /** @description PIN values are always "******" */
            value?: string;
            /** @enum {string} */
            value_mode: "per_device" | "shared";
            /** @description Write scope only, while an unredeemed invitation exists */
            invitation_code?: string;
            invitation_url?: string;
            invitation_expires_at?: string;
            devices: components["schemas"]["Device"][];
            created_at: string;
            updated_at: string;
        };
        Device: {
            id: string;
            /**
             * @description `hid`: a phone holding an HID Mobile Access credential (type 8)
             * @enum {string}
             */
            platform: "apple" | "google" | "hid";
            /** @enum {string} */
            status: "pending" | "active" | "revoked";
            /**
             * @description HID wallet badges (type 10) only: the wallet device HID Origo reports
             * @enum {string}
             */
            kind?: "iphone" | "watch" | "android";
            added_at: string;
        };
        PersonCredentialInput: {
            credential_type_id: number;
            enabled?: boolean;
            value?: string;
            /** @enum {string} */
            deliver?: "email" | "none";
            /** @enum {string} */
            value_mode?: "per_device" | "shared";
            /**
             * @description Language of the invitation email (deliver: "email"); English by default
             * @enum {string}
             */
            locale?: "en" | "de" | "ar";
        };
        PersonCredentialUpdate: {
            enabled: boolean;
        };
        CredentialStatus: {
            id: string;
            /**
             * @description Present only for HID Mobile Access (8), whose help differs
             * @enum {number}
             */
            credential_type_id?: 8;
            /** @enum {string} */
            status: "invited" | "provisioning" | "active" | "suspended" | "revoking" | "revoked" | "expired";
            enabled: boolean;
            devices: components["schemas"]["Device"][];
            updated_at: string;
            history: {
                /** @enum {string} */
                status: "invited" | "provisioning" | "active" | "suspended" | "revoking" | "revoked" | "expired";
                at: string;
            }[];
        };
        Error429: {
            error: {
                /** @enum {string} */
                code: "too_many_attempts" | "rate_limited" | "too_many_streams";
                message: string;
                /** @description invalid_request: `fields` (field → message); incorrect_code: `attempts_left`; unknown_credential_type: `available` */
                details?: {
                    [key: string]: unknown;
                };
            };
        };
        ProvisioningGrant: {
            provisioning_token: string;
            expires_at: string;
            credential: {
                id: string;
                /** @enum {string} */
                status: "invited" | "provisioning" | "active" | "suspended" | "revoking" | "revoked" | "expired";
                credential_type_id: number;
            };
            person: {
                first_name: string;
            };
            wallets: ("apple" | "google")[];
        };
        Error410: {
            error: {
                /** @enum {string} */
                code: "invitation_expired" | "verification_expired" | "link_expired";
                message: string;
                /** @description invalid_request: `fields` (field → message); incorrect_code: `attempts_left`; unknown_credential_type: `available` */
                details?: {
                    [key: string]: unknown;
                };
            };
        };
        RedeemInput: {
            invitation_code: string;
        };
        SessionToken: {
            token: string;
            expires_at: string;
        };
        ClientSessionInput: {
            person_id: number;
            origins?: string[];
        };
        AuditEvent: {
            id: string;
            type: string;
            at: string;
            actor: string;
            subject: string;
            data: {
                [key: string]: unknown;
            };
            /** @description SHA-256 (hex) of the previous event's hash and this event's canonical JSON (docs/operations.md); null until sealed, within seconds of the write */
            hash: string | null;
        };
        PassAnswer: components["schemas"]["PassLink"] | components["schemas"]["BadgeAppleProvisioning"];
        PassLink: {
            /** @description A one-time PUBLIC_URL/passes/<token>.pkpass (15 min) or a Google Wallet save URL */
            url: string;
            device_id: string;
        };
        BadgeAppleProvisioning: {
            device_id: string;
            apple_provisioning: {
                /** @description Apple’s provisioning window, opened as a pop-up from the press */
                window_url: string;
                /** @description HID’s partner id (HID is Apple’s Credential Manager for Seos) */
                partner_id: string;
                /** @enum {string} */
                card_type: "ACCESS_CORPORATE";
                /** @description HID’s signed provisioning payload, the answer to the window’s `ready`, passed on unchanged: a JWS in its flattened JSON form (as HID’s web provisioning answers it) or compact text */
                payload: string | {
                    protected: string;
                    payload: string;
                    signature: string;
                    header?: {
                        [key: string]: unknown;
                    };
                };
            };
        };
        Error428: {
            error: {
                /** @enum {string} */
                code: "google_sign_in_required";
                message: string;
                /** @description invalid_request: `fields` (field → message); incorrect_code: `attempts_left`; unknown_credential_type: `available` */
                details?: {
                    [key: string]: unknown;
                };
            };
        };
        PassRequest: {
            /** @enum {string} */
            platform: "apple" | "google";
            /** @description Required with a cs_; with a ps_ it may only name its own credential */
            credential_id?: string;
            /** @description HID badges (type 10), Google: the ID token from Sign in with Google (verified by the server) */
            id_token?: string;
        };
        PassPlatforms: {
            /** @description The wallets the badge’s HID pass template supports that this server offers */
            platforms: ("apple" | "google")[];
        };
        PassPlatformsRequest: {
            /** @description Required with a cs_; with a ps_ it may only name its own credential */
            credential_id?: string;
        };
        HandoffLink: {
            /** @example https://keyway.example/p#h=h_… */
            url: string;
            expires_at: string;
        };
        HandoffInput: {
            credential_id?: string;
        };
        HandoffRedeemInput: {
            handoff_token: string;
        };
        VerificationStarted: {
            verification_id: string;
            expires_at: string;
            resend_after: string;
        };
        VerificationInput: {
            /** @example +44 7911 123456 */
            phone_number: string;
            /** @description For a national number; else the key’s default_country, else KEYWAY_DEFAULT_COUNTRY */
            country?: string;
        };
        VerificationCheckInput: {
            /**
             * @description 6 digits; spaces, dashes and Eastern-Arabic digits forgiven
             * @example 123 456
             */
            code: string;
        };
        AccessDecision: {
            allowed: boolean;
            credential_id?: string;
            person_id?: number;
            device_id?: string;
            /** @enum {string} */
            reason?: "unknown_value" | "device_revoked" | "credential_suspended" | "credential_disabled" | "credential_revoked" | "credential_expired" | "credential_not_provisioned" | "person_disabled";
        };
        AccessVerifyInput: {
            value: string;
        };
        Webhook: {
            id: string;
            url: string;
            events: string[];
            enabled: boolean;
            disabled_reason: string | null;
            /** @description When the first of the attempts that have failed in a row was made (the endpoint is failing: it gets one attempt at a time until one succeeds, and is disabled after 5 days); null while deliveries succeed */
            failing_since: string | null;
            created_at: string;
            updated_at: string;
            /** @description `whsec_…`: only in the answers to create and rotate_secret */
            secret?: string;
        };
        WebhookInput: {
            url: string;
            events: ("credential.created" | "credential.status_changed" | "device.added" | "device.revoked" | "verification.succeeded" | "certificate.expiring")[];
        };
        WebhookDelivery: {
            /** @description The `webhook-id` header of every attempt */
            id: string;
            event: string;
            /** @enum {string} */
            status: "pending" | "delivered" | "failed";
            attempts: number;
            next_attempt_at: string | null;
            last_status: number | null;
            last_error: string | null;
            created_at: string;
            finished_at: string | null;
        };
        PassKitRegistration: {
            pushToken: string;
        };
        PassKitSerialNumbers: {
            serialNumbers: string[];
            lastUpdated: string;
        };
        PassKitLog: {
            logs: string[];
        };
        StaffMember: {
            id: string;
            email: string;
            display_name: string;
            /**
             * @description viewer reads; operator writes people and credentials; admin also staff, keys, webhooks
             * @enum {string}
             */
            role: "viewer" | "operator" | "admin";
            created_at: string;
            last_sign_in_at: string | null;
            disabled: boolean;
            passkeys: components["schemas"]["StaffPasskey"][];
        };
        StaffPasskey: {
            id: string;
            name: string;
            created_at: string;
            last_used_at: string | null;
            transports: string[];
        };
        StaffInvite: {
            /** Format: email */
            email: string;
            /**
             * @description viewer reads; operator writes people and credentials; admin also staff, keys, webhooks
             * @enum {string}
             */
            role: "viewer" | "operator" | "admin";
            display_name?: string;
        };
        StaffUpdate: {
            /**
             * @description viewer reads; operator writes people and credentials; admin also staff, keys, webhooks
             * @enum {string}
             */
            role?: "viewer" | "operator" | "admin";
            disabled?: boolean;
            display_name?: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    get_healthz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Process alive */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        ok: boolean;
                        /** @description The same on every instance sharing KEYWAY_SECRET (derived from it, revealing nothing of it): `keyway doctor` checks that PUBLIC_URL answers with it */
                        instance_id: string;
                    };
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
        };
    };
    get_readyz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Database reachable, migrations applied, signer loaded */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Readiness"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description Not ready (or draining): `checks` says why */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Readiness"];
                };
            };
        };
    };
    get_people: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
                phone?: string;
                email?: string;
                /** @description Search: part of the name, email, phone or external id (the staff console’s search box) */
                q?: string;
                /** @description Only people holding a credential in this status */
                credential_status?: "invited" | "provisioning" | "active" | "suspended" | "revoking" | "revoked" | "expired";
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description List people (filter by phone or email) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        people: components["schemas"]["Person"][];
                        next_cursor: string | null;
                    };
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    post_people: {
        parameters: {
            query?: never;
            header?: {
                /** @description Replays the first answer for the same caller, method and path for 24 h; another body under the same key is 422 idempotency_mismatch, a twin still running 409 */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    person: components["schemas"]["PersonInput"];
                } | components["schemas"]["PersonInput"];
            };
        };
        responses: {
            /** @description The person, with their new id. An `external_id` another living person has → 409 `external_id_taken`. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        person: components["schemas"]["Person"];
                    };
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description invalid_transition, invitation_used, value_in_use, external_id_taken, idempotency_in_progress, provisioning_unavailable */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error409"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description incorrect_code, unknown_credential_type, country_not_allowed, idempotency_mismatch, email_not_configured, csv_invalid, hid_not_configured */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error422"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    importPeople: {
        parameters: {
            query?: {
                /** @description true (the default) classifies the rows and writes nothing; false applies them */
                dry_run?: "true" | "false";
                /** @description The first data row (0-based, the header not counted) of the range */
                offset?: number | null;
                /** @description How many rows from offset; apply a long file in ranges (the console uses 1,000) */
                limit?: number;
            };
            header?: {
                /** @description Replays the first answer for the same caller, method and path for 24 h; another body under the same key is 422 idempotency_mismatch, a twin still running 409 */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "text/csv": string;
            };
        };
        responses: {
            /** @description The body is the file itself (UTF-8 with or without a BOM, UTF-16 with a BOM, else Windows-1252; `,` `;` or tab separated, detected from the header row; at most 10 MB, else 413 `payload_too_large`). The header row names the columns: first_name and last_name are required (else 422 `csv_invalid`), email, phone, external_id, credential_type_id and delivery optional. Each row of the range is create, update, unchanged or refused with a `reason_code`. A person is found again by external_id, else by email; an empty cell leaves what is stored. With dry_run=false the range is written in one transaction, so applying the same file again answers every row unchanged. At most 10,000 rows a request (offset and limit). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImportResult"];
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description invalid_transition, invitation_used, value_in_use, external_id_taken, idempotency_in_progress, provisioning_unavailable */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error409"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description incorrect_code, unknown_credential_type, country_not_allowed, idempotency_mismatch, email_not_configured, csv_invalid, hid_not_configured */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error422"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    get_people_id: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Read a person */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        person: components["schemas"]["Person"];
                    };
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    put_people_id: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    person: components["schemas"]["PersonUpdate"];
                } | components["schemas"]["PersonUpdate"];
            };
        };
        responses: {
            /** @description The person as updated: only the fields given change. `external_id: null` removes it; one another living person has → 409 `external_id_taken`. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        person: components["schemas"]["Person"];
                    };
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description invalid_transition, invitation_used, value_in_use, external_id_taken, idempotency_in_progress, provisioning_unavailable */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error409"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    delete_people_id: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Delete a person (revokes their credentials) */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        person: components["schemas"]["Person"];
                    };
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    get_credential_types: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description List credential types */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        credential_types: components["schemas"]["CredentialType"][];
                    };
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    get_people_id_credentials: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description List a person’s credentials */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        person_credentials: components["schemas"]["PersonCredential"][];
                        next_cursor: string | null;
                    };
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    post_people_id_credentials: {
        parameters: {
            query?: never;
            header?: {
                /** @description Replays the first answer for the same caller, method and path for 24 h; another body under the same key is 422 idempotency_mismatch, a twin still running 409 */
                "Idempotency-Key"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    person_credential: components["schemas"]["PersonCredentialInput"];
                } | components["schemas"]["PersonCredentialInput"];
            };
        };
        responses: {
            /** @description A value another live credential holds → 409 `value_in_use` (a person’s card number on that person’s wallet pass excepted). A wallet pass (type 9) starts `invited` with an invitation code; card (1) and PIN (6) are `active` at once. HID Mobile Access (type 8, when HID Origo is configured) starts `invited` with HID Origo’s code and no `invitation_url`; Origo down or slow → 503 `upstream_unavailable` and nothing is stored. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        person_credential: components["schemas"]["PersonCredential"];
                    };
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description invalid_transition, invitation_used, value_in_use, external_id_taken, idempotency_in_progress, provisioning_unavailable */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error409"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description incorrect_code, unknown_credential_type, country_not_allowed, idempotency_mismatch, email_not_configured, csv_invalid, hid_not_configured */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error422"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    get_people_id_credentials_cid: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                cid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Read a credential */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        person_credential: components["schemas"]["PersonCredential"];
                    };
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    put_people_id_credentials_cid: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                cid: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    person_credential: components["schemas"]["PersonCredentialUpdate"];
                } | components["schemas"]["PersonCredentialUpdate"];
            };
        };
        responses: {
            /** @description An HID badge (type 10) a wallet holds is suspended or resumed at HID Origo first: Origo down or slow → `503 upstream_unavailable`; wallet badges no longer configured on this server → `422 hid_not_configured`. Nothing is changed either way. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        person_credential: components["schemas"]["PersonCredential"];
                    };
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description invalid_transition, invitation_used, value_in_use, external_id_taken, idempotency_in_progress, provisioning_unavailable */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error409"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description incorrect_code, unknown_credential_type, country_not_allowed, idempotency_mismatch, email_not_configured, csv_invalid, hid_not_configured */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error422"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    delete_people_id_credentials_cid: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                cid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoke a credential */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        person_credential: components["schemas"]["PersonCredential"];
                    };
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    delete_people_id_credentials_cid_devices_device_id: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                cid: string;
                device_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoke one phone */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        person_credential: components["schemas"]["PersonCredential"];
                    };
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    get_credentials_cid_status: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                cid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Where a credential stands */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CredentialStatus"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    get_credentials_cid_status_stream: {
        parameters: {
            query?: {
                /** @description The cs_/ps_ token, for EventSource (which sends no headers) */
                token?: string;
            };
            header?: never;
            path: {
                cid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description `event: status` with `id:` and `data: {credential_id,old_status,new_status,enabled,devices,updated_at}`; a snapshot first (`old_status: null`), device changes too, `: heartbeat` every 15 s, `Last-Event-ID` resumes; the stream stays open after terminal states until the client closes it, and ends when its token expires. At most 5 open streams per token, 100 per client IP and KEYWAY_MAX_STREAMS per process (429 too_many_streams). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description too_many_attempts, rate_limited, too_many_streams */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error429"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    post_people_id_credentials_cid_invitation: {
        parameters: {
            query?: never;
            header?: {
                /** @description Replays the first answer for the same caller, method and path for 24 h; another body under the same key is 422 idempotency_mismatch, a twin still running 409 */
                "Idempotency-Key"?: string;
            };
            path: {
                id: string;
                cid: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Re-issue the invitation (new code; the old one dies) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        person_credential: components["schemas"]["PersonCredential"];
                    };
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description invalid_transition, invitation_used, value_in_use, external_id_taken, idempotency_in_progress, provisioning_unavailable */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error409"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description incorrect_code, unknown_credential_type, country_not_allowed, idempotency_mismatch, email_not_configured, csv_invalid, hid_not_configured */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error422"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    post_invitations_redeem: {
        parameters: {
            query?: never;
            header?: {
                /** @description Replays the first answer for the same caller, method and path for 24 h; another body under the same key is 422 idempotency_mismatch, a twin still running 409 */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RedeemInput"];
            };
        };
        responses: {
            /** @description Case, spaces, dashes and Crockford look-alikes (O→0, I/L→1) are forgiven. Moves the credential invited → provisioning. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProvisioningGrant"];
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description invalid_transition, invitation_used, value_in_use, external_id_taken, idempotency_in_progress, provisioning_unavailable */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error409"];
                };
            };
            /** @description invitation_expired, verification_expired, link_expired */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error410"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description incorrect_code, unknown_credential_type, country_not_allowed, idempotency_mismatch, email_not_configured, csv_invalid, hid_not_configured */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error422"];
                };
            };
            /** @description too_many_attempts, rate_limited, too_many_streams */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error429"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    post_client_sessions: {
        parameters: {
            query?: never;
            header?: {
                /** @description Replays the first answer for the same caller, method and path for 24 h; another body under the same key is 422 idempotency_mismatch, a twin still running 409 */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ClientSessionInput"];
            };
        };
        responses: {
            /** @description Mint a client session (cs_) for one person */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionToken"];
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description invalid_transition, invitation_used, value_in_use, external_id_taken, idempotency_in_progress, provisioning_unavailable */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error409"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description incorrect_code, unknown_credential_type, country_not_allowed, idempotency_mismatch, email_not_configured, csv_invalid, hid_not_configured */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error422"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    get_events: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
                /** @description An event type (`person.created`), or a prefix ending in `*` (`person.*`) */
                type?: string;
                /** @description What the event is about: `person:12`, `credential:cred_…`, `staff:stf_…` */
                subject?: string;
                /** @description Who did it: `staff:stf_…`, `key:…`, `system` */
                actor?: string;
                /** @description Events at or after this instant (ISO 8601) */
                since?: string;
                /** @description Events before this instant (ISO 8601) */
                until?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The audit log, newest first (filter by type, subject, actor, time) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        events: components["schemas"]["AuditEvent"][];
                        next_cursor: string | null;
                    };
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    post_passes: {
        parameters: {
            query?: never;
            header?: {
                /** @description Replays the first answer for the same caller, method and path for 24 h; another body under the same key is 422 idempotency_mismatch, a twin still running 409 */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PassRequest"];
            };
        };
        responses: {
            /** @description Creates a pending device with its own serial number, authentication token and (per-device mode) reader value. Apple: a one-time .pkpass URL valid 15 minutes; Google: the save URL. Credentials in provisioning or active only; a publishable key is 401. For an HID badge (type 10): Apple → `apple_provisioning` (the payload for Apple’s provisioning window, from HID’s web provisioning, spending the issuance token); Google → `428 google_sign_in_required` (with `details.client_id`) until `id_token` is given, then the save URL; a forged ID token (or one not signed RS256) → `401 google_sign_in_invalid`; Google’s ID-token keys unreachable → `503 upstream_unavailable`; a spent or expired issuance token is replaced once (never while HID Origo reports a wallet holding or adding the badge: then `409 provisioning_unavailable`), then `409 provisioning_unavailable`; HID Origo down or slow → `503 upstream_unavailable`; a badge left from before wallet badges were switched off on this server → `422 hid_not_configured`. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PassAnswer"];
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description invalid_transition, invitation_used, value_in_use, external_id_taken, idempotency_in_progress, provisioning_unavailable */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error409"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description incorrect_code, unknown_credential_type, country_not_allowed, idempotency_mismatch, email_not_configured, csv_invalid, hid_not_configured */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error422"];
                };
            };
            /** @description google_sign_in_required */
            428: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error428"];
                };
            };
            /** @description too_many_attempts, rate_limited, too_many_streams */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error429"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    post_passes_platforms: {
        parameters: {
            query?: never;
            header?: {
                /** @description Replays the first answer for the same caller, method and path for 24 h; another body under the same key is 422 idempotency_mismatch, a twin still running 409 */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["PassPlatformsRequest"];
            };
        };
        responses: {
            /** @description For an HID badge (type 10): the wallets its HID pass template supports (HID web provisioning’s `platforms`, asked once) that this server offers. Other credentials are 404; wallet badges no longer configured on this server → `422 hid_not_configured`. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PassPlatforms"];
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description invalid_transition, invitation_used, value_in_use, external_id_taken, idempotency_in_progress, provisioning_unavailable */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error409"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description incorrect_code, unknown_credential_type, country_not_allowed, idempotency_mismatch, email_not_configured, csv_invalid, hid_not_configured */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error422"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    get_passes_download_token_pkpass: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                download_token: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No header or cookie needed: the token in the path is the authority. A second fetch is 410 link_expired. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/vnd.apple.pkpass": string;
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description invitation_expired, verification_expired, link_expired */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error410"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    post_handoffs: {
        parameters: {
            query?: never;
            header?: {
                /** @description Replays the first answer for the same caller, method and path for 24 h; another body under the same key is 422 idempotency_mismatch, a twin still running 409 */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["HandoffInput"];
            };
        };
        responses: {
            /** @description PUBLIC_URL/p#h=<token>: single use, valid 5 minutes, never the session token itself. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HandoffLink"];
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description invalid_transition, invitation_used, value_in_use, external_id_taken, idempotency_in_progress, provisioning_unavailable */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error409"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description incorrect_code, unknown_credential_type, country_not_allowed, idempotency_mismatch, email_not_configured, csv_invalid, hid_not_configured */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error422"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    post_handoffs_redeem: {
        parameters: {
            query?: never;
            header?: {
                /** @description Replays the first answer for the same caller, method and path for 24 h; another body under the same key is 422 idempotency_mismatch, a twin still running 409 */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["HandoffRedeemInput"];
            };
        };
        responses: {
            /** @description Once; then 410 link_expired. The provisioning token is bound to PUBLIC_URL. Counts against the per-IP redeem limit. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProvisioningGrant"];
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description invalid_transition, invitation_used, value_in_use, external_id_taken, idempotency_in_progress, provisioning_unavailable */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error409"];
                };
            };
            /** @description invitation_expired, verification_expired, link_expired */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error410"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description incorrect_code, unknown_credential_type, country_not_allowed, idempotency_mismatch, email_not_configured, csv_invalid, hid_not_configured */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error422"];
                };
            };
            /** @description too_many_attempts, rate_limited, too_many_streams */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error429"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    post_verifications: {
        parameters: {
            query?: never;
            header?: {
                /** @description Replays the first answer for the same caller, method and path for 24 h; another body under the same key is 422 idempotency_mismatch, a twin still running 409 */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    verification: components["schemas"]["VerificationInput"];
                } | components["schemas"]["VerificationInput"];
            };
        };
        responses: {
            /** @description One SMS carries a 6-digit code (10 minutes) and a link /v/{token}; its last line is `@<host> #<code>` for WebOTP and iOS autofill. Unknown or disabled numbers answer exactly like known ones (KEYWAY_UNKNOWN_NUMBER_POLICY=conceal) or 404 phone_not_found (reveal). */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VerificationStarted"];
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description invalid_transition, invitation_used, value_in_use, external_id_taken, idempotency_in_progress, provisioning_unavailable */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error409"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description incorrect_code, unknown_credential_type, country_not_allowed, idempotency_mismatch, email_not_configured, csv_invalid, hid_not_configured */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error422"];
                };
            };
            /** @description too_many_attempts, rate_limited, too_many_streams */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error429"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    post_verifications_id_check: {
        parameters: {
            query?: never;
            header?: {
                /** @description Replays the first answer for the same caller, method and path for 24 h; another body under the same key is 422 idempotency_mismatch, a twin still running 409 */
                "Idempotency-Key"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["VerificationCheckInput"];
            };
        };
        responses: {
            /** @description Spaces and dashes allowed. Wrong → 422 incorrect_code with details.attempts_left; the 5th wrong and every later check → 429 too_many_attempts. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProvisioningGrant"];
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description invalid_transition, invitation_used, value_in_use, external_id_taken, idempotency_in_progress, provisioning_unavailable */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error409"];
                };
            };
            /** @description invitation_expired, verification_expired, link_expired */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error410"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description incorrect_code, unknown_credential_type, country_not_allowed, idempotency_mismatch, email_not_configured, csv_invalid, hid_not_configured */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error422"];
                };
            };
            /** @description too_many_attempts, rate_limited, too_many_streams */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error429"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    post_verifications_id_resend: {
        parameters: {
            query?: never;
            header?: {
                /** @description Replays the first answer for the same caller, method and path for 24 h; another body under the same key is 422 idempotency_mismatch, a twin still running 409 */
                "Idempotency-Key"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description At least 60 s apart and at most 5 sends per verification; before resend_after → 429 rate_limited with Retry-After. */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VerificationStarted"];
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description invalid_transition, invitation_used, value_in_use, external_id_taken, idempotency_in_progress, provisioning_unavailable */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error409"];
                };
            };
            /** @description invitation_expired, verification_expired, link_expired */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error410"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description incorrect_code, unknown_credential_type, country_not_allowed, idempotency_mismatch, email_not_configured, csv_invalid, hid_not_configured */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error422"];
                };
            };
            /** @description too_many_attempts, rate_limited, too_many_streams */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error429"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    post_access_verify: {
        parameters: {
            query?: never;
            header?: {
                /** @description Replays the first answer for the same caller, method and path for 24 h; another body under the same key is 422 idempotency_mismatch, a twin still running 409 */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AccessVerifyInput"];
            };
        };
        responses: {
            /** @description Allowed only for a value of a pending or active device (per-device mode) or the shared value, on an enabled credential in provisioning or active. Every check is an access.checked event. Scope account.access (a door controller key) or account.person; refused checks count at most 100 a minute per key (429 after). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AccessDecision"];
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description invalid_transition, invitation_used, value_in_use, external_id_taken, idempotency_in_progress, provisioning_unavailable */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error409"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description incorrect_code, unknown_credential_type, country_not_allowed, idempotency_mismatch, email_not_configured, csv_invalid, hid_not_configured */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error422"];
                };
            };
            /** @description too_many_attempts, rate_limited, too_many_streams */
            429: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error429"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    get_webhooks: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description List webhook endpoints */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        webhooks: components["schemas"]["Webhook"][];
                        next_cursor: string | null;
                    };
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    post_webhooks: {
        parameters: {
            query?: never;
            header?: {
                /** @description Replays the first answer for the same caller, method and path for 24 h; another body under the same key is 422 idempotency_mismatch, a twin still running 409 */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    webhook: components["schemas"]["WebhookInput"];
                } | components["schemas"]["WebhookInput"];
            };
        };
        responses: {
            /** @description Deliveries carry Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`) and `X-Keyway-Signature`: the hex HMAC-SHA256 of the raw body keyed with the `whsec_…` secret as shown. The secret is shown only here and on rotation. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        webhook: components["schemas"]["Webhook"];
                    };
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description invalid_transition, invitation_used, value_in_use, external_id_taken, idempotency_in_progress, provisioning_unavailable */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error409"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description incorrect_code, unknown_credential_type, country_not_allowed, idempotency_mismatch, email_not_configured, csv_invalid, hid_not_configured */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error422"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    get_webhooks_id: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Read a webhook endpoint */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        webhook: components["schemas"]["Webhook"];
                    };
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    delete_webhooks_id: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Delete a webhook endpoint */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    post_webhooks_id_rotate_secret: {
        parameters: {
            query?: never;
            header?: {
                /** @description Replays the first answer for the same caller, method and path for 24 h; another body under the same key is 422 idempotency_mismatch, a twin still running 409 */
                "Idempotency-Key"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description For 24 h both secrets sign: `webhook-signature` carries two space-separated signatures and `X-Keyway-Signature-Previous` the old hex one. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        webhook: components["schemas"]["Webhook"];
                    };
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description invalid_transition, invitation_used, value_in_use, external_id_taken, idempotency_in_progress, provisioning_unavailable */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error409"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description incorrect_code, unknown_credential_type, country_not_allowed, idempotency_mismatch, email_not_configured, csv_invalid, hid_not_configured */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error422"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    post_webhooks_id_test: {
        parameters: {
            query?: never;
            header?: {
                /** @description Replays the first answer for the same caller, method and path for 24 h; another body under the same key is 422 idempotency_mismatch, a twin still running 409 */
                "Idempotency-Key"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Send a webhook.test event */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        delivery_id: string;
                    };
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description invalid_transition, invitation_used, value_in_use, external_id_taken, idempotency_in_progress, provisioning_unavailable */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error409"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description incorrect_code, unknown_credential_type, country_not_allowed, idempotency_mismatch, email_not_configured, csv_invalid, hid_not_configured */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error422"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    get_webhooks_id_deliveries: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Delivery history, newest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deliveries: components["schemas"]["WebhookDelivery"][];
                        next_cursor: string | null;
                    };
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    post_wallet_apple_v1_devices_deviceLibraryIdentifier_registrations_passTypeIdentifier_serialNumber: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                deviceLibraryIdentifier: string;
                passTypeIdentifier: string;
                serialNumber: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PassKitRegistration"];
            };
        };
        responses: {
            /** @description Already registered: the push token is updated */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description `Authorization: ApplePass <authenticationToken>`. 201 when new, 200 when already registered. The first registration makes the device and its credential active. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    delete_wallet_apple_v1_devices_deviceLibraryIdentifier_registrations_passTypeIdentifier_serialNumber: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                deviceLibraryIdentifier: string;
                passTypeIdentifier: string;
                serialNumber: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Unregister a phone */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    get_wallet_apple_v1_devices_deviceLibraryIdentifier_registrations_passTypeIdentifier: {
        parameters: {
            query?: {
                passesUpdatedSince?: string;
            };
            header?: never;
            path: {
                deviceLibraryIdentifier: string;
                passTypeIdentifier: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description No authentication (Apple sends none): it names serial numbers only. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PassKitSerialNumbers"];
                };
            };
            /** @description No pass of this phone changed since the tag (or none is registered) */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    get_wallet_apple_v1_passes_passTypeIdentifier_serialNumber: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                passTypeIdentifier: string;
                serialNumber: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Honours If-Modified-Since (304); answers Last-Modified. Voided after a revoke. */
            200: {
                headers: {
                    /** @description When the pass last changed (an HTTP date) */
                    "Last-Modified"?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/vnd.apple.pkpass": string;
                };
            };
            /** @description Not changed since If-Modified-Since */
            304: {
                headers: {
                    /** @description When the pass last changed (an HTTP date) */
                    "Last-Modified"?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    post_wallet_apple_v1_log: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PassKitLog"];
            };
        };
        responses: {
            /** @description Wallet’s error log for this web service */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    post_wallet_google_callback: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    signature: string;
                    intermediateSigningKey: {
                        signedKey: string;
                        signatures: string[];
                    };
                    /** @enum {string} */
                    protocolVersion: "ECv2SigningOnly";
                    signedMessage: string;
                };
            };
        };
        responses: {
            /** @description ECv2SigningOnly, verified with the keys from KEYWAY_GOOGLE_CALLBACK_KEYS (a file or URL; in production by default the keys Google publishes); deduplicated by nonce. A save makes the device and its credential active. 401 when the signature does not verify or callbacks are off; 503 `upstream_unavailable` when the keys could never be fetched (Google tries again). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    post_hid_origo_callback: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/cloudevents-batch+json": {
                    [key: string]: unknown;
                }[] | {
                    [key: string]: unknown;
                };
                "application/cloudevents+json": {
                    [key: string]: unknown;
                }[] | {
                    [key: string]: unknown;
                };
            };
        };
        responses: {
            /** @description A CloudEvents batch (`application/cloudevents-batch+json`) from HID Origo, authenticated by `Authorization` equal to KEYWAY_HID_ORIGO_CALLBACK_SECRET. Keyway re-reads the users the events name from Origo; the events themselves are never taken as state. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        received: number;
                    };
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    get_staff: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description List staff members and their passkeys (console admins) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        staff: components["schemas"]["StaffMember"][];
                    };
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    post_staff: {
        parameters: {
            query?: never;
            header?: {
                /** @description Replays the first answer for the same caller, method and path for 24 h; another body under the same key is 422 idempotency_mismatch, a twin still running 409 */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    staff: components["schemas"]["StaffInvite"];
                } | components["schemas"]["StaffInvite"];
            };
        };
        responses: {
            /** @description The enrolment link (24 h, single use) is shown in this answer only. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        staff: components["schemas"]["StaffMember"];
                        enrolment_url: string;
                        expires_at: string;
                    };
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description invalid_transition, invitation_used, value_in_use, external_id_taken, idempotency_in_progress, provisioning_unavailable */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error409"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description incorrect_code, unknown_credential_type, country_not_allowed, idempotency_mismatch, email_not_configured, csv_invalid, hid_not_configured */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error422"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    put_staff_id: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": {
                    staff: components["schemas"]["StaffUpdate"];
                } | components["schemas"]["StaffUpdate"];
            };
        };
        responses: {
            /** @description Change a staff member’s role, name, or disable them (ends their sessions) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        staff: components["schemas"]["StaffMember"];
                    };
                };
            };
            /** @description invalid_request, invalid_json, invalid_phone_number */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error400"];
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    delete_staff_id_passkeys_passkey_id: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                passkey_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Remove one of a staff member’s passkeys (never the last) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        staff: components["schemas"]["StaffMember"];
                    };
                };
            };
            /** @description unauthorized, google_sign_in_invalid */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error401"];
                };
            };
            /** @description origin_not_allowed, insufficient_scope, credential_disabled, handoff_not_allowed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error403"];
                };
            };
            /** @description not_found, invitation_not_found, phone_not_found */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error404"];
                };
            };
            /** @description invalid_transition, invitation_used, value_in_use, external_id_taken, idempotency_in_progress, provisioning_unavailable */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error409"];
                };
            };
            /** @description payload_too_large */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error413"];
                };
            };
            /** @description internal_error */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error500"];
                };
            };
            /** @description service_unavailable, upstream_unavailable */
            503: {
                headers: {
                    /** @description Seconds to wait before trying again */
                    "Retry-After"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error503"];
                };
            };
        };
    };
    webhook_credential_created: {
        parameters: {
            query?: never;
            header: {
                /** @description The delivery id, the same on every attempt: deduplicate by it */
                "webhook-id": string;
                /** @description Unix seconds of this attempt */
                "webhook-timestamp": string;
                /** @description Standard Webhooks `v1,<base64>` (two, space-separated, for 24 h after a rotation) */
                "webhook-signature": string;
                /** @description Hex HMAC-SHA256 of the raw body, keyed with the whsec_… secret as shown */
                "x-keyway-signature": string;
                /** @description The same with the secret before a rotation, for 24 h */
                "x-keyway-signature-previous"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookCredentialCreated"];
            };
        };
        responses: {
            /** @description Delivered. Any other answer (or none within the timeout) is retried with backoff; 410 disables the endpoint */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    webhook_credential_status_changed: {
        parameters: {
            query?: never;
            header: {
                /** @description The delivery id, the same on every attempt: deduplicate by it */
                "webhook-id": string;
                /** @description Unix seconds of this attempt */
                "webhook-timestamp": string;
                /** @description Standard Webhooks `v1,<base64>` (two, space-separated, for 24 h after a rotation) */
                "webhook-signature": string;
                /** @description Hex HMAC-SHA256 of the raw body, keyed with the whsec_… secret as shown */
                "x-keyway-signature": string;
                /** @description The same with the secret before a rotation, for 24 h */
                "x-keyway-signature-previous"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookCredentialStatusChanged"];
            };
        };
        responses: {
            /** @description Delivered. Any other answer (or none within the timeout) is retried with backoff; 410 disables the endpoint */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    webhook_device_added: {
        parameters: {
            query?: never;
            header: {
                /** @description The delivery id, the same on every attempt: deduplicate by it */
                "webhook-id": string;
                /** @description Unix seconds of this attempt */
                "webhook-timestamp": string;
                /** @description Standard Webhooks `v1,<base64>` (two, space-separated, for 24 h after a rotation) */
                "webhook-signature": string;
                /** @description Hex HMAC-SHA256 of the raw body, keyed with the whsec_… secret as shown */
                "x-keyway-signature": string;
                /** @description The same with the secret before a rotation, for 24 h */
                "x-keyway-signature-previous"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookDeviceAdded"];
            };
        };
        responses: {
            /** @description Delivered. Any other answer (or none within the timeout) is retried with backoff; 410 disables the endpoint */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    webhook_device_revoked: {
        parameters: {
            query?: never;
            header: {
                /** @description The delivery id, the same on every attempt: deduplicate by it */
                "webhook-id": string;
                /** @description Unix seconds of this attempt */
                "webhook-timestamp": string;
                /** @description Standard Webhooks `v1,<base64>` (two, space-separated, for 24 h after a rotation) */
                "webhook-signature": string;
                /** @description Hex HMAC-SHA256 of the raw body, keyed with the whsec_… secret as shown */
                "x-keyway-signature": string;
                /** @description The same with the secret before a rotation, for 24 h */
                "x-keyway-signature-previous"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookDeviceRevoked"];
            };
        };
        responses: {
            /** @description Delivered. Any other answer (or none within the timeout) is retried with backoff; 410 disables the endpoint */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    webhook_verification_succeeded: {
        parameters: {
            query?: never;
            header: {
                /** @description The delivery id, the same on every attempt: deduplicate by it */
                "webhook-id": string;
                /** @description Unix seconds of this attempt */
                "webhook-timestamp": string;
                /** @description Standard Webhooks `v1,<base64>` (two, space-separated, for 24 h after a rotation) */
                "webhook-signature": string;
                /** @description Hex HMAC-SHA256 of the raw body, keyed with the whsec_… secret as shown */
                "x-keyway-signature": string;
                /** @description The same with the secret before a rotation, for 24 h */
                "x-keyway-signature-previous"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookVerificationSucceeded"];
            };
        };
        responses: {
            /** @description Delivered. Any other answer (or none within the timeout) is retried with backoff; 410 disables the endpoint */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    webhook_certificate_expiring: {
        parameters: {
            query?: never;
            header: {
                /** @description The delivery id, the same on every attempt: deduplicate by it */
                "webhook-id": string;
                /** @description Unix seconds of this attempt */
                "webhook-timestamp": string;
                /** @description Standard Webhooks `v1,<base64>` (two, space-separated, for 24 h after a rotation) */
                "webhook-signature": string;
                /** @description Hex HMAC-SHA256 of the raw body, keyed with the whsec_… secret as shown */
                "x-keyway-signature": string;
                /** @description The same with the secret before a rotation, for 24 h */
                "x-keyway-signature-previous"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookCertificateExpiring"];
            };
        };
        responses: {
            /** @description Delivered. Any other answer (or none within the timeout) is retried with backoff; 410 disables the endpoint */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    webhook_webhook_test: {
        parameters: {
            query?: never;
            header: {
                /** @description The delivery id, the same on every attempt: deduplicate by it */
                "webhook-id": string;
                /** @description Unix seconds of this attempt */
                "webhook-timestamp": string;
                /** @description Standard Webhooks `v1,<base64>` (two, space-separated, for 24 h after a rotation) */
                "webhook-signature": string;
                /** @description Hex HMAC-SHA256 of the raw body, keyed with the whsec_… secret as shown */
                "x-keyway-signature": string;
                /** @description The same with the secret before a rotation, for 24 h */
                "x-keyway-signature-previous"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["WebhookWebhookTest"];
            };
        };
        responses: {
            /** @description Delivered. Any other answer (or none within the timeout) is retried with backoff; 410 disables the endpoint */
            "2XX": {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
}
