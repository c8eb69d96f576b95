export {
  PasswordHasher,
  assertScryptParams,
  defaultScryptParams,
  parseScryptHash,
  scryptMaxmem,
  type ScryptParams,
} from './scrypt-hasher.js';
