// bin/token: prints a development JWT (stdout: the token alone, so TOKEN=$(bin/token …)
// works; stderr: whose it is, its key and its expiry). See args.ts for the flags and
// sign.ts for when it refuses.
import { loadEnv } from "../env";
import { ConfigError } from "../errors";
import { parseTokenArgs, TOKEN_USAGE, UsageError } from "./args";
import { devTokenSigner, readToken, TokenSigningRefused, tokenSigningEnv } from "./sign";

try {
  const env = loadEnv(tokenSigningEnv); // the only place this command reads its environment
  const request = parseTokenArgs(process.argv.slice(2));
  if (request === "help") {
    console.log(TOKEN_USAGE);
  } else {
    const signer = devTokenSigner(env);
    const token = await signer.sign(request);
    const minted = readToken(token);
    const roles = minted.roles.length > 0 ? minted.roles.join(", ") : "none (a plain user)";
    process.stdout.write(`${token}\n`);
    console.error(
      `token: user ${minted.userId}, tenant ${minted.tenantId}, roles ${roles}; ` +
        `signed with ${signer.keySource}; expires ${minted.expiresAt?.toISOString()}`,
    );
  }
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`token: ${error.message}\n\n${TOKEN_USAGE}`);
    process.exitCode = 2;
  } else if (error instanceof TokenSigningRefused || error instanceof ConfigError) {
    console.error(`token: refused: ${error.message}`);
    process.exitCode = 1;
  } else throw error;
}
