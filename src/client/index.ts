export * from './types.js';
export * from './errors.js';
export * from './keyway-client.js';
export { FetchKeywayClient } from './fetch-client.js';
