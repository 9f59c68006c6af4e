export * from './errors.js';
export { FetchKeywayClient } from './fetch-client.js';
export * from './keyway-client.js';
export * from './types.js';
