import type { Bus } from '@dispatch/bus';
import type { Logger } from '@dispatch/runtime';
import type { IdentityConfig } from '../config.js';
import type { PasswordHasher } from '../passwords/index.js';
import type { BusinessRepository } from '../store/business-repository.js';
import type { InviteRepository } from '../store/invite-repository.js';
import type { UserRepository } from '../store/user-repository.js';
import type { PasswordResetTokenRepository, VerificationTokenRepository } from '../store/verification-token-repository.js';

/** Everything a use-case may touch. Events go out through the bus's publish only. */
export interface IdentityContext {
  users: UserRepository;
  businesses: BusinessRepository;
  verifications: VerificationTokenRepository;
  resets: PasswordResetTokenRepository;
  invites: InviteRepository;
  passwords: PasswordHasher;
  events: Pick<Bus, 'publish'>;
  config: IdentityConfig;
  clock: () => Date;
  logger: Logger;
}

/** Per-request data that is not part of the request body. */
export interface RequestMeta {
  requestId?: string;
  logger?: Logger;
}

/** Runs compensating deletes after a failed multi-step write; their own failures are logged, never thrown. */
export async function compensate(logger: Logger, steps: (() => Promise<void>)[]): Promise<void> {
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      logger.error({ err }, 'compensating write failed');
    }
  }
}

export const publishOptions = (meta: RequestMeta): { requestId?: string } => (meta.requestId ? { requestId: meta.requestId } : {});
