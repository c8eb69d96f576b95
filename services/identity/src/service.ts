import type { Bus, Subscription } from '@dispatch/bus';
import type { Logger } from '@dispatch/runtime';
import { resolveIdentityConfig, type IdentityConfig, type IdentityConfigInput } from './config.js';
import { PasswordHasher } from './passwords/index.js';
import type { BusinessRepository } from './store/business-repository.js';
import type { InviteRepository } from './store/invite-repository.js';
import type { UserRepository } from './store/user-repository.js';
import type { PasswordResetTokenRepository, VerificationTokenRepository } from './store/verification-token-repository.js';
import { acceptInvite } from './use-cases/accept-invite.js';
import { changePassword } from './use-cases/change-password.js';
import { checkCredentials } from './use-cases/check-credentials.js';
import { createInvite } from './use-cases/create-invite.js';
import type { IdentityContext } from './use-cases/deps.js';
import { getUser } from './use-cases/get-user.js';
import { listOwners } from './use-cases/list-owners.js';
import { ping } from './use-cases/ping.js';
import { register } from './use-cases/register.js';
import { requestPasswordReset } from './use-cases/request-password-reset.js';
import { resendVerification } from './use-cases/resend-verification.js';
import { resetPassword } from './use-cases/reset-password.js';
import { verifyEmail } from './use-cases/verify-email.js';

export interface IdentityServiceDeps {
  bus: Bus;
  logger: Logger;
  users: UserRepository;
  businesses: BusinessRepository;
  verifications: VerificationTokenRepository;
  /** Password-reset tokens (same repository type as verification tokens, its own collection). */
  resets: PasswordResetTokenRepository;
  invites: InviteRepository;
  /** Partial settings; the rest take their defaults (scrypt N=16384 r=8 p=1, 24 h verification, 7 d invites). */
  config?: IdentityConfigInput;
  /** Whether the stores are connected (reported by `identity.ping`); defaults to always. */
  isReady?: () => boolean;
  /** The time source (tests move it forward to expire tokens). */
  clock?: () => Date;
}

export interface IdentityService {
  readonly config: IdentityConfig;
  /** Serves every `identity.*` request on the bus. */
  start(): Promise<void>;
  /** Stops serving (in-flight requests finish; draining the bus is the caller's job). */
  stop(): Promise<void>;
}

export function createIdentityService(deps: IdentityServiceDeps): IdentityService {
  const config = resolveIdentityConfig(deps.config);
  const logger = deps.logger;
  const ctx: IdentityContext = {
    users: deps.users,
    businesses: deps.businesses,
    verifications: deps.verifications,
    resets: deps.resets,
    invites: deps.invites,
    passwords: new PasswordHasher(config.scrypt),
    events: deps.bus,
    config,
    clock: deps.clock ?? (() => new Date()),
    logger,
  };
  const isReady = deps.isReady ?? (() => true);
  let subscriptions: Subscription[] = [];
  let started = false;

  return {
    config,
    async start() {
      if (started) return;
      // Make the dummy hash now, so the first unknown-email login costs the same as the others.
      await ctx.passwords.warmUp();
      const { bus } = deps;
      subscriptions = [
        bus.serve('identity.register', (req, c) => register(ctx, req, c)),
        bus.serve('identity.verify', (req, c) => verifyEmail(ctx, req, c)),
        bus.serve('identity.checkCredentials', (req, c) => checkCredentials(ctx, req, c)),
        bus.serve('identity.getUser', (req) => getUser(ctx, req)),
        bus.serve('identity.listOwners', (req) => listOwners(ctx, req)),
        bus.serve('identity.createInvite', (req, c) => createInvite(ctx, req, c)),
        bus.serve('identity.acceptInvite', (req, c) => acceptInvite(ctx, req, c)),
        bus.serve('identity.resendVerification', (req, c) => resendVerification(ctx, req, c)),
        bus.serve('identity.requestPasswordReset', (req, c) => requestPasswordReset(ctx, req, c)),
        bus.serve('identity.resetPassword', (req, c) => resetPassword(ctx, req, c)),
        bus.serve('identity.changePassword', (req, c) => changePassword(ctx, req, c)),
        bus.serve('identity.ping', async () => ping(config.instance, started && isReady() && bus.isConnected())),
      ];
      started = true;
      logger.debug({ instance: config.instance }, 'identity handlers registered');
    },
    async stop() {
      if (!started) return;
      started = false;
      const subs = subscriptions;
      subscriptions = [];
      await Promise.allSettled(subs.map((s) => s.stop()));
    },
  };
}
