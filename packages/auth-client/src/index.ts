export {
  AuthUnauthorizedError,
  AuthUnavailableError,
  createAuthClient,
  extractToken,
  type AuthClient,
  type AuthClientOptions,
  type AuthenticateContext,
} from './auth-client.js';
