export { parseTokenArgs, TOKEN_USAGE, UsageError } from "./args";
export {
  type DevTokenSigner,
  devTokenSigner,
  MAX_TTL_SECONDS,
  readToken,
  type SignOptions,
  signToken,
  TOKEN_ROLES,
  type TokenRequest,
  type TokenRole,
  type TokenSigningEnv,
  TokenSigningRefused,
  tokenRequest,
  tokenSigningEnv,
} from "./sign";
