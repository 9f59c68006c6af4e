import path from 'node:path';
import { z } from 'zod';

/** A bad value stops the server with a message naming the variable (the README’s configuration). */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** HID's web-provisioning host, as HID's sample names it (hid-origo-notes.md §8, single source). */
export const HID_WEB_PROVISIONING_URL = 'https://web.api.origo.hidglobal.com';
/** Apple's hosted web-provisioning window (hid-origo-notes.md §8, Apple's own script). */
export const APPLE_PROVISIONING_WINDOW_URL = 'https://apple-pay.apple.com/navweb/static/index.html';
/** Where Google publishes the keys that sign its ID tokens. */
export const GOOGLE_ID_TOKEN_KEYS_URL = 'https://www.googleapis.com/oauth2/v3/certs';
/** Google's OAuth 2.0 authorization endpoint: Sign in with Google for a badge (SPEC §16). */
export const GOOGLE_SIGN_IN_URL = 'https://accounts.google.com/o/oauth2/v2/auth';
/** HID Origo's production hosts (docs/hid.md); tests point both at a local peer. */
export const ORIGO_AUTH_URL = 'https://api.origo.hidglobal.com';
export const ORIGO_API_URL = 'https://ma.api.assaabloy.com/credential-management';

/** Where Google publishes the keys that sign its Wallet save/delete callbacks (docs/deploy.md). */
export const GOOGLE_CALLBACK_KEYS_URL = 'https://pay.google.com/gp/m/issuer/keys';

/** `http://` is allowed for loopback only (a local test peer); anything else must be https. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** KEYWAY_GOOGLE_CALLBACK_KEYS: `off`, an https URL (http on loopback), or a file path. */
const callbackKeys = z
  .string()
  .trim()
  .min(1)
  .superRefine((v, ctx) => {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return; // a file path (checked when the wallet loads)
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'expected off, a file of keys, or an https:// URL' });
      return;
    }
    if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) return;
    ctx.addIssue({ code: 'custom', message: 'a URL of callback keys must be https:// (http:// only on loopback)' });
  });

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off', ''])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));
const positiveInt = z.coerce.number().int().positive();
const country = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'expected an ISO-3166 alpha-2 country code')
  .transform((v) => v.toUpperCase());
const keyString = z
  .string()
  .regex(/^(sk|pk)_[A-Za-z0-9_]{16,128}$/, 'expected sk_… / pk_… with 16–128 characters of [A-Za-z0-9_]');

/** Durations like `7d`, `24h`, `90m`, `3600s` or plain seconds. */
const duration = z.string().transform((v, ctx) => {
  const m = /^(\d+)\s*([smhd]?)$/.exec(v.trim());
  if (!m) {
    ctx.addIssue({ code: 'custom', message: 'expected a duration such as 7d, 24h, 90m or 3600' });
    return z.NEVER;
  }
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
});

const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

const EnvSchema = z.object({
  KEYWAY_ENV: z.enum(['development', 'production']).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  PUBLIC_URL: z.url().optional(),
  KEYWAY_DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^(sqlite:|postgres:\/\/|postgresql:\/\/)/, 'expected sqlite:<path> or postgres://…')
    .optional(),
  KEYWAY_SECRET: z.string().optional(),
  KEYWAY_SECRET_PREVIOUS: z.string().optional(),
  KEYWAY_DEV_EXPOSE: bool.default(false),
  KEYWAY_TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  KEYWAY_DEMO_SECRET_KEY: keyString.refine((v) => v.startsWith('sk_'), 'must start with sk_').optional(),
  KEYWAY_DEMO_PUBLISHABLE_KEY: keyString.refine((v) => v.startsWith('pk_'), 'must start with pk_').optional(),
  KEYWAY_DEMO_ORIGINS: csv.default([]),
  KEYWAY_DEMO_COUNTRIES: csv.pipe(z.array(country)).optional(),
  KEYWAY_DEMO_DEFAULT_COUNTRY: country.optional(),
  KEYWAY_DEMO_PEOPLE: bool.default(true),
  KEYWAY_DEFAULT_COUNTRY: country.optional(),
  KEYWAY_UNKNOWN_NUMBER_POLICY: z.enum(['conceal', 'reveal']).default('conceal'),
  KEYWAY_SMS_AUTO_ISSUE: bool.default(false),
  KEYWAY_INVITE_TTL: duration.default(7 * 86400),
  KEYWAY_DELIVER_DEFAULT: z.enum(['none', 'email']).default('none'),
  KEYWAY_REVOKE_CONFIRM_DAYS: positiveInt.default(3),
  KEYWAY_LIMIT_SENDS_PER_PHONE_HOUR: positiveInt.default(5),
  KEYWAY_LIMIT_SENDS_PER_IP_HOUR: positiveInt.default(20),
  KEYWAY_LIMIT_SENDS_PER_IPV4_24_HOUR: positiveInt.default(100),
  KEYWAY_LIMIT_SENDS_PER_IPV6_56_HOUR: positiveInt.default(60),
  KEYWAY_LIMIT_SENDS_PER_IPV6_48_HOUR: positiveInt.default(200),
  KEYWAY_LIMIT_SENDS_PER_KEY_HOUR: positiveInt.default(1000),
  KEYWAY_LIMIT_SENDS_GLOBAL_HOUR: positiveInt.default(10000),
  KEYWAY_LIMIT_REDEEM_PER_IP_MIN: positiveInt.default(30),
  KEYWAY_SMS_PROVIDER: z.enum(['dev', 'twilio', 'webhook']).optional(),
  KEYWAY_TWILIO_ACCOUNT_SID: z.string().optional(),
  KEYWAY_TWILIO_AUTH_TOKEN: z.string().optional(),
  KEYWAY_TWILIO_FROM: z.string().optional(),
  KEYWAY_TWILIO_BASE_URL: z.url().default('https://api.twilio.com'),
  KEYWAY_SMS_WEBHOOK_URL: z.url().optional(),
  // Signs the webhook provider's requests (Standard Webhooks), so the gateway can refuse forged ones instead of
  // texting whoever a stranger names. Production without it starts (SPEC §7 does not refuse) and warns loudly.
  KEYWAY_SMS_WEBHOOK_SECRET: z
    .string()
    .regex(
      /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/,
      'a Standard Webhooks secret: whsec_ and base64 of at least 24 random bytes',
    )
    .optional(),
  KEYWAY_EMAIL_PROVIDER: z.enum(['dev', 'smtp']).optional(),
  KEYWAY_SMTP_URL: z.string().optional(),
  KEYWAY_EMAIL_FROM: z.string().default('Keyway <no-reply@keyway.invalid>'),
  KEYWAY_PASSES: z.enum(['on', 'off']).default('on'),
  KEYWAY_APPLE_CERT: z.string().optional(),
  KEYWAY_APPLE_KEY: z.string().optional(),
  KEYWAY_APPLE_KEY_PASSPHRASE: z.string().optional(),
  KEYWAY_APPLE_WWDR: z.string().optional(),
  KEYWAY_APPLE_PASS_TYPE_ID: z.string().optional(),
  KEYWAY_APPLE_TEAM_ID: z.string().optional(),
  KEYWAY_APPLE_SIGNATURE_DIGEST: z.enum(['sha1', 'sha256']).default('sha1'),
  KEYWAY_APPLE_NFC_PUBLIC_KEY: z.string().optional(),
  // SPEC §15: the renewed pair beside the current one until `keyway passes resign` makes it current.
  KEYWAY_APPLE_NEXT_CERT: z.string().optional(),
  KEYWAY_APPLE_NEXT_KEY: z.string().optional(),
  KEYWAY_APNS_URL: z.url().optional(),
  KEYWAY_GOOGLE_SA_FILE: z.string().optional(),
  KEYWAY_GOOGLE_ISSUER_ID: z.string().optional(),
  KEYWAY_GOOGLE_CLASS_SUFFIX: z.string().default('keyway_access'),
  KEYWAY_GOOGLE_API_URL: z.url().optional(),
  KEYWAY_GOOGLE_SMART_TAP_ISSUERS: csv.optional(),
  KEYWAY_GOOGLE_CALLBACK_KEYS: callbackKeys.optional(),
  KEYWAY_GOOGLE_POLL_S: positiveInt.default(60),
  KEYWAY_BRAND_NAME: z.string().default('Keyway'),
  KEYWAY_BRAND_LOGO: z.string().optional(),
  KEYWAY_BRAND_COLOR: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'expected a colour such as #1a73e8')
    .default('#1f4fd1'),
  KEYWAY_BADGE_DIR: z.string().optional(),
  KEYWAY_WORKERS: z
    .union([z.literal('auto'), z.coerce.number().int().min(1).max(256)], {
      error: 'expected a number of worker processes (1–256) or auto',
    })
    .default(1),
  KEYWAY_SHUTDOWN_GRACE: duration.default(10),
  // After SIGTERM, how long an instance keeps accepting while /readyz says 503, so a load balancer's
  // health checks take it out of rotation before it stops listening (docs/deploy.md).
  KEYWAY_SHUTDOWN_DELAY: duration.optional(),
  // Any non-empty token works (SPEC §9 sets no length); `keyway doctor` warns under 16 characters.
  KEYWAY_METRICS_TOKEN: z.string().min(1, 'must not be empty').optional(),
  // Not in the configuration table of docs/api.md: how long a claimed outbox row, message or wallet push stays with the instance
  // that claimed it before another takes it over (docs/deploy.md: within 60 s); tests shorten it.
  KEYWAY_OUTBOX_LEASE: duration.pipe(z.number().int().min(1).max(3600)).default(60),
  // docs/security.md "time limits": each outbound call's deadline for the whole exchange (seconds).
  KEYWAY_WEBHOOK_TIMEOUT: duration.pipe(z.number().int().min(1).max(300)).default(15),
  KEYWAY_SMS_TIMEOUT: duration.pipe(z.number().int().min(1).max(300)).default(10),
  KEYWAY_SMTP_TIMEOUT: duration.pipe(z.number().int().min(1).max(300)).default(30),
  KEYWAY_GOOGLE_TIMEOUT: duration.pipe(z.number().int().min(1).max(300)).default(10),
  KEYWAY_APNS_TIMEOUT: duration.pipe(z.number().int().min(1).max(300)).default(10),
  KEYWAY_BODY_LIMIT: positiveInt.default(64 * 1024),
  KEYWAY_MAX_STREAMS: positiveInt.default(10_000),
  KEYWAY_RETENTION_DAYS: positiveInt.default(30),
  KEYWAY_SQLITE_SYNC: z.enum(['full', 'normal']).default('full'),
  // HID Mobile Access through HID Origo (docs/hid.md): type 8 exists only with the first four set.
  KEYWAY_HID_ORIGO_CLIENT_ID: z.string().trim().min(1).optional(),
  KEYWAY_HID_ORIGO_CLIENT_SECRET: z.string().min(1).optional(),
  KEYWAY_HID_ORIGO_APPLICATION_ID: z.string().trim().min(1).optional(),
  KEYWAY_HID_ORIGO_PART_NUMBER: z.string().trim().min(1).optional(),
  KEYWAY_HID_ORIGO_ORG_ID: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_]+$/, 'expected the organisation id (the client id up to its first -)')
    .optional(),
  KEYWAY_HID_ORIGO_AUTH_URL: z.url().default(ORIGO_AUTH_URL),
  KEYWAY_HID_ORIGO_API_URL: z.url().default(ORIGO_API_URL),
  KEYWAY_HID_ORIGO_POLL_S: positiveInt.default(60),
  KEYWAY_HID_ORIGO_CALLBACK_SECRET: z
    .string()
    .min(16, 'at least 16 characters (it is the whole proof that a callback came from Origo)')
    .optional(),
  // HID Seos badges in Apple and Google Wallet (SPEC §16, docs/hid.md): type 10 exists only with HID
  // Origo configured, a pass template, the Credential Management API base and the web-provisioning app id.
  KEYWAY_HID_PASS_TEMPLATE_ID: z.string().trim().min(1).optional(),
  KEYWAY_HID_PASS_API_URL: z.url().optional(),
  KEYWAY_HID_WEB_PROVISIONING_URL: z.url().default(HID_WEB_PROVISIONING_URL),
  KEYWAY_HID_WEB_PROVISIONING_APP_ID: z.string().trim().min(1).optional(),
  KEYWAY_HID_APPLE_PARTNER_ID: z.string().trim().min(1).optional(),
  KEYWAY_HID_APPLE_WINDOW_URL: z.url().default(APPLE_PROVISIONING_WINDOW_URL),
  KEYWAY_GOOGLE_SIGN_IN_CLIENT_ID: z.string().trim().min(1).optional(),
  KEYWAY_GOOGLE_ID_TOKEN_KEYS_URL: z.url().default(GOOGLE_ID_TOKEN_KEYS_URL),
  KEYWAY_GOOGLE_SIGN_IN_URL: z.url().default(GOOGLE_SIGN_IN_URL),
});

export type Env = z.infer<typeof EnvSchema>;

export interface HidOrigoConfig {
  clientId: string;
  clientSecret: string;
  orgId: string;
  applicationId: string;
  partNumber: string;
  authUrl: string;
  apiUrl: string;
  pollSeconds: number;
  callbackSecret?: string;
  /** The whole exchange's deadline in ms (docs/security.md "time limits": 10 s). Not a variable: tests shorten it through the harness. */
  deadlineMs?: number;
}

export interface HidPassesConfig {
  templateId: string;
  /** The Credential Management API base: `{base}/organization/{org}/pass…`. */
  passApiUrl: string;
  webProvisioningUrl: string;
  webProvisioningAppId: string;
  /** Without it Apple Wallet is not offered. */
  applePartnerId?: string;
  appleWindowUrl: string;
  /** Without it Google Wallet is not offered. */
  googleClientId?: string;
  googleIdTokenKeysUrl: string;
  /** Google's authorization endpoint the sign-in pop-up is sent to. */
  googleSignInUrl: string;
}

const HID_PASSES_REQUIRED = ['KEYWAY_HID_PASS_API_URL', 'KEYWAY_HID_WEB_PROVISIONING_APP_ID'] as const;

/** A pass template turns type 10 on; it needs type 8's Origo settings and the two below. */
function hidPassesConfig(e: Env, origo: HidOrigoConfig | undefined): HidPassesConfig | undefined {
  if (!e.KEYWAY_HID_PASS_TEMPLATE_ID) return undefined;
  if (!origo)
    throw new ConfigError(
      'KEYWAY_HID_PASS_TEMPLATE_ID',
      `needs HID Origo configured (${HID_ORIGO_REQUIRED.join(', ')})`,
    );
  const missing = HID_PASSES_REQUIRED.find((v) => !e[v]);
  if (missing) throw new ConfigError(missing, 'required with KEYWAY_HID_PASS_TEMPLATE_ID');
  return {
    templateId: e.KEYWAY_HID_PASS_TEMPLATE_ID,
    passApiUrl: e.KEYWAY_HID_PASS_API_URL!,
    webProvisioningUrl: e.KEYWAY_HID_WEB_PROVISIONING_URL,
    webProvisioningAppId: e.KEYWAY_HID_WEB_PROVISIONING_APP_ID!,
    applePartnerId: e.KEYWAY_HID_APPLE_PARTNER_ID,
    appleWindowUrl: e.KEYWAY_HID_APPLE_WINDOW_URL,
    googleClientId: e.KEYWAY_GOOGLE_SIGN_IN_CLIENT_ID,
    googleIdTokenKeysUrl: e.KEYWAY_GOOGLE_ID_TOKEN_KEYS_URL,
    googleSignInUrl: e.KEYWAY_GOOGLE_SIGN_IN_URL,
  };
}

const HID_ORIGO_REQUIRED = [
  'KEYWAY_HID_ORIGO_CLIENT_ID',
  'KEYWAY_HID_ORIGO_CLIENT_SECRET',
  'KEYWAY_HID_ORIGO_APPLICATION_ID',
  'KEYWAY_HID_ORIGO_PART_NUMBER',
] as const;

/** All four set → type 8 is offered; none → it is not; some → a mistake worth stopping for. */
function hidOrigoConfig(e: Env): HidOrigoConfig | undefined {
  const missing = HID_ORIGO_REQUIRED.filter((v) => !e[v]);
  if (missing.length === HID_ORIGO_REQUIRED.length) return undefined;
  if (missing.length)
    throw new ConfigError(
      missing[0],
      `required with the other KEYWAY_HID_ORIGO_* variables (${HID_ORIGO_REQUIRED.join(', ')})`,
    );
  const clientId = e.KEYWAY_HID_ORIGO_CLIENT_ID!;
  // Origo client ids read `{organisation id}-OSRV…`.
  const orgId = e.KEYWAY_HID_ORIGO_ORG_ID ?? clientId.split('-')[0];
  if (!/^[A-Za-z0-9_]+$/.test(orgId))
    throw new ConfigError('KEYWAY_HID_ORIGO_ORG_ID', 'cannot be read from the client id; set it');
  return {
    clientId,
    clientSecret: e.KEYWAY_HID_ORIGO_CLIENT_SECRET!,
    orgId,
    applicationId: e.KEYWAY_HID_ORIGO_APPLICATION_ID!,
    partNumber: e.KEYWAY_HID_ORIGO_PART_NUMBER!,
    authUrl: e.KEYWAY_HID_ORIGO_AUTH_URL,
    apiUrl: e.KEYWAY_HID_ORIGO_API_URL,
    pollSeconds: e.KEYWAY_HID_ORIGO_POLL_S,
    callbackSecret: e.KEYWAY_HID_ORIGO_CALLBACK_SECRET,
  };
}

export interface Config {
  env: 'development' | 'production';
  dev: boolean;
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string;
  secret?: string;
  secretPrevious?: string;
  trustProxy: number;
  demo: {
    secretKey?: string;
    publishableKey?: string;
    origins: string[];
    countries?: string[];
    defaultCountry?: string;
    /** KEYWAY_DEMO_PEOPLE: two demo people with a wallet pass each on the first start (development). */
    people: boolean;
  };
  defaultCountry?: string;
  unknownNumberPolicy: 'conceal' | 'reveal';
  smsAutoIssue: boolean;
  inviteTtlSeconds: number;
  deliverDefault: 'none' | 'email';
  revokeConfirmDays: number;
  limits: {
    sendsPerPhoneHour: number;
    sendsPerIpHour: number;
    /** Per network, wider than one client (docs/security.md "sends"). */
    sendsPerIpv4Net24Hour: number;
    sendsPerIpv6Net56Hour: number;
    sendsPerIpv6Net48Hour: number;
    sendsPerKeyHour: number;
    sendsGlobalHour: number;
    redeemPerIpMinute: number;
  };
  smsProvider: 'dev' | 'twilio' | 'webhook';
  /** `none`: production without KEYWAY_EMAIL_PROVIDER — no email is sent (the dev mailer never runs there). */
  emailProvider: 'dev' | 'smtp' | 'none';
  passes: boolean;
  /** docs/security.md: request bodies (bytes), open status streams per process, days finished rows are kept. */
  bodyLimit: number;
  maxStreams: number;
  retentionDays: number;
  sqliteSync: 'full' | 'normal';
  brand: { name: string; logo?: string; color: string; badgeDir?: string };
  /** Worker processes on one port (node:cluster), resolved from KEYWAY_WORKERS / --workers. */
  workers: number | 'auto';
  shutdownGraceSeconds: number;
  /** KEYWAY_SHUTDOWN_DELAY: accepting after SIGTERM while /readyz answers 503 (5 s in production, 0 in development). */
  shutdownDelaySeconds: number;
  metricsToken?: string;
  /** Seconds a claimed outbox row, queued message or wallet push is leased to its claimer. */
  leaseSeconds: number;
  /** Seconds each outbound call may take, connect to last byte (docs/security.md "time limits"). */
  timeouts: { webhook: number; sms: number; smtp: number; google: number; apns: number };
  /** HID Origo for credential type 8 (docs/hid.md); absent when not configured. */
  hidOrigo?: HidOrigoConfig;
  /** HID Seos badges in the wallets, credential type 10 (SPEC §16, docs/hid.md); absent when not configured. */
  hidPasses?: HidPassesConfig;
  google: {
    /**
     * Where the keys that verify save callbacks come from: a file path or an http(s) URL. Unset in
     * production means Google's published keys (GOOGLE_CALLBACK_KEYS_URL); unset in development, or
     * `off`, means callbacks are refused (401).
     */
    callbackKeys?: string;
    /** Seconds between REST polls of pending Google devices (`hasUsers`), when the REST API is configured. */
    pollSeconds: number;
  };
  /** The raw parsed environment, for subsystems that read their own variables (wallet, delivery). */
  raw: Env;
}

/**
 * Parses the environment once. `mode` is the default when KEYWAY_ENV is unset:
 * `npm start` runs development, `keyway serve` production (docs/architecture.md).
 */
/** Production with the `webhook` SMS gateway and no signing secret: it starts and says so (banner and doctor). */
export const unsignedSmsGateway = (config: Config): boolean =>
  !config.dev && config.smsProvider === 'webhook' && !config.raw.KEYWAY_SMS_WEBHOOK_SECRET;
export const UNSIGNED_SMS_GATEWAY =
  'KEYWAY_SMS_WEBHOOK_SECRET is not set: requests to the SMS gateway are unsigned, so it cannot tell Keyway’s from a forger’s.';

export function loadConfig(
  env: NodeJS.ProcessEnv,
  mode: 'development' | 'production' = 'production',
  opts: { serverChecks?: boolean } = {},
): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue.path[0] ?? 'environment');
    throw new ConfigError(variable, issue.message);
  }
  const e = parsed.data;
  const kind = e.KEYWAY_ENV ?? mode;
  const dev = kind === 'development';
  const dataDir = path.resolve(e.KEYWAY_DATA_DIR);
  const publicUrl = (e.PUBLIC_URL ?? `http://127.0.0.1:${e.PORT}`).replace(/\/+$/, '');
  if (e.KEYWAY_SECRET !== undefined) checkSecret('KEYWAY_SECRET', e.KEYWAY_SECRET);
  if (e.KEYWAY_SECRET_PREVIOUS !== undefined) checkSecret('KEYWAY_SECRET_PREVIOUS', e.KEYWAY_SECRET_PREVIOUS);

  const config: Config = {
    env: kind,
    dev,
    port: e.PORT,
    host: dev && !e.KEYWAY_DEV_EXPOSE ? '127.0.0.1' : '0.0.0.0',
    publicUrl,
    dataDir,
    databaseUrl: e.DATABASE_URL ?? `sqlite:${path.join(dataDir, 'keyway.db')}`,
    secret: e.KEYWAY_SECRET,
    secretPrevious: e.KEYWAY_SECRET_PREVIOUS,
    trustProxy: e.KEYWAY_TRUST_PROXY,
    demo: {
      secretKey: e.KEYWAY_DEMO_SECRET_KEY,
      publishableKey: e.KEYWAY_DEMO_PUBLISHABLE_KEY,
      origins: e.KEYWAY_DEMO_ORIGINS,
      countries: e.KEYWAY_DEMO_COUNTRIES,
      defaultCountry: e.KEYWAY_DEMO_DEFAULT_COUNTRY,
      people: dev && e.KEYWAY_DEMO_PEOPLE,
    },
    defaultCountry: e.KEYWAY_DEFAULT_COUNTRY,
    unknownNumberPolicy: e.KEYWAY_UNKNOWN_NUMBER_POLICY,
    smsAutoIssue: e.KEYWAY_SMS_AUTO_ISSUE,
    inviteTtlSeconds: e.KEYWAY_INVITE_TTL,
    deliverDefault: e.KEYWAY_DELIVER_DEFAULT,
    revokeConfirmDays: e.KEYWAY_REVOKE_CONFIRM_DAYS,
    limits: {
      sendsPerPhoneHour: e.KEYWAY_LIMIT_SENDS_PER_PHONE_HOUR,
      sendsPerIpHour: e.KEYWAY_LIMIT_SENDS_PER_IP_HOUR,
      sendsPerIpv4Net24Hour: e.KEYWAY_LIMIT_SENDS_PER_IPV4_24_HOUR,
      sendsPerIpv6Net56Hour: e.KEYWAY_LIMIT_SENDS_PER_IPV6_56_HOUR,
      sendsPerIpv6Net48Hour: e.KEYWAY_LIMIT_SENDS_PER_IPV6_48_HOUR,
      sendsPerKeyHour: e.KEYWAY_LIMIT_SENDS_PER_KEY_HOUR,
      sendsGlobalHour: e.KEYWAY_LIMIT_SENDS_GLOBAL_HOUR,
      redeemPerIpMinute: e.KEYWAY_LIMIT_REDEEM_PER_IP_MIN,
    },
    smsProvider: e.KEYWAY_SMS_PROVIDER ?? 'dev',
    emailProvider: e.KEYWAY_EMAIL_PROVIDER ?? (dev ? 'dev' : 'none'),
    passes: e.KEYWAY_PASSES === 'on',
    bodyLimit: e.KEYWAY_BODY_LIMIT,
    maxStreams: e.KEYWAY_MAX_STREAMS,
    retentionDays: e.KEYWAY_RETENTION_DAYS,
    sqliteSync: e.KEYWAY_SQLITE_SYNC,
    brand: {
      name: e.KEYWAY_BRAND_NAME,
      logo: e.KEYWAY_BRAND_LOGO,
      color: e.KEYWAY_BRAND_COLOR,
      badgeDir: e.KEYWAY_BADGE_DIR,
    },
    workers: e.KEYWAY_WORKERS,
    shutdownGraceSeconds: e.KEYWAY_SHUTDOWN_GRACE,
    shutdownDelaySeconds: e.KEYWAY_SHUTDOWN_DELAY ?? (dev ? 0 : 5),
    metricsToken: e.KEYWAY_METRICS_TOKEN,
    leaseSeconds: e.KEYWAY_OUTBOX_LEASE,
    timeouts: {
      webhook: e.KEYWAY_WEBHOOK_TIMEOUT,
      sms: e.KEYWAY_SMS_TIMEOUT,
      smtp: e.KEYWAY_SMTP_TIMEOUT,
      google: e.KEYWAY_GOOGLE_TIMEOUT,
      apns: e.KEYWAY_APNS_TIMEOUT,
    },
    hidOrigo: hidOrigoConfig(e),
    hidPasses: hidPassesConfig(e, hidOrigoConfig(e)),
    google: {
      callbackKeys:
        e.KEYWAY_GOOGLE_CALLBACK_KEYS === 'off'
          ? undefined
          : (e.KEYWAY_GOOGLE_CALLBACK_KEYS ?? (dev ? undefined : GOOGLE_CALLBACK_KEYS_URL)),
      pollSeconds: e.KEYWAY_GOOGLE_POLL_S,
    },
    raw: e,
  };

  if (!dev && opts.serverChecks !== false) {
    // docs/security.md "production refuses to start": each refusal names its variable.
    if (!config.secret)
      throw new ConfigError('KEYWAY_SECRET', 'production needs KEYWAY_SECRET (at least 32 random bytes, base64)');
    if (!e.PUBLIC_URL)
      throw new ConfigError(
        'PUBLIC_URL',
        'production needs PUBLIC_URL, the https:// address people reach this server at (invitation links and passes carry it)',
      );
    if (!/^https:\/\//i.test(e.PUBLIC_URL))
      throw new ConfigError(
        'PUBLIC_URL',
        'must be an https:// address in production (wallets and browsers refuse plain http)',
      );
    if (config.smsProvider === 'dev') {
      throw new ConfigError(
        'KEYWAY_SMS_PROVIDER',
        'production needs a real SMS sender (twilio or webhook); the dev outbox exists only in development',
      );
    }
    if (config.emailProvider === 'dev') {
      throw new ConfigError('KEYWAY_EMAIL_PROVIDER', 'the dev email outbox exists only in development');
    }
    if (config.deliverDefault === 'email' && config.emailProvider !== 'smtp') {
      throw new ConfigError(
        'KEYWAY_EMAIL_PROVIDER',
        'KEYWAY_DELIVER_DEFAULT=email needs a real email sender (KEYWAY_EMAIL_PROVIDER=smtp and KEYWAY_SMTP_URL)',
      );
    }
    if (config.passes && !(e.KEYWAY_APPLE_CERT && e.KEYWAY_APPLE_KEY && e.KEYWAY_APPLE_WWDR)) {
      throw new ConfigError(
        'KEYWAY_APPLE_CERT',
        'production needs real signing material (KEYWAY_APPLE_CERT, KEYWAY_APPLE_KEY, KEYWAY_APPLE_WWDR) or KEYWAY_PASSES=off',
      );
    }
    // docs/lifecycle.md: a saved Google pass must be able to reach `active`, by a verified callback or the REST poll.
    const googleOn = Boolean(e.KEYWAY_GOOGLE_SA_FILE || e.KEYWAY_GOOGLE_ISSUER_ID);
    if (config.passes && googleOn && !config.google.callbackKeys && !e.KEYWAY_GOOGLE_API_URL) {
      throw new ConfigError(
        'KEYWAY_GOOGLE_CALLBACK_KEYS',
        "production with Google Wallet on needs a way to confirm saves: leave KEYWAY_GOOGLE_CALLBACK_KEYS unset (Google's published keys) or set it to a keys file or https URL, or set KEYWAY_GOOGLE_API_URL so pending passes are polled; without either every Google pass would stay pending",
      );
    }
  }
  if (config.smsProvider === 'twilio') {
    for (const v of ['KEYWAY_TWILIO_ACCOUNT_SID', 'KEYWAY_TWILIO_AUTH_TOKEN', 'KEYWAY_TWILIO_FROM'] as const) {
      if (!e[v]) throw new ConfigError(v, 'required when KEYWAY_SMS_PROVIDER=twilio');
    }
  }
  if (config.smsProvider === 'webhook' && !e.KEYWAY_SMS_WEBHOOK_URL) {
    throw new ConfigError('KEYWAY_SMS_WEBHOOK_URL', 'required when KEYWAY_SMS_PROVIDER=webhook');
  }
  if (config.emailProvider === 'smtp' && !e.KEYWAY_SMTP_URL) {
    throw new ConfigError('KEYWAY_SMTP_URL', 'required when KEYWAY_EMAIL_PROVIDER=smtp');
  }
  return config;
}

function checkSecret(variable: string, value: string): void {
  const bytes = Buffer.from(value, 'base64');
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(value) || bytes.length < 32) {
    throw new ConfigError(
      variable,
      'expected at least 32 random bytes, base64-encoded (e.g. `openssl rand -base64 32`)',
    );
  }
}
