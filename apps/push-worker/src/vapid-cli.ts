// bin/vapid: prints a new VAPID key pair as environment lines (stdout: the two lines alone,
// so `bin/vapid >> .env` works; stderr: what to do with them).
import { generateVapidKeys } from "@fluxnotify/shared/vapid-keys";

const USAGE = `usage: bin/vapid

Prints a new VAPID key pair (P-256, base64url) for the push worker and the query API:
  VAPID_PUBLIC_KEY=<65-byte uncompressed point>
  VAPID_PRIVATE_KEY=<32-byte private scalar>
Keep the private key secret. Browsers subscribe with the public key, so replacing the pair
invalidates every existing Web Push subscription.`;

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  console.log(USAGE);
} else if (args.length > 0) {
  console.error(`vapid: unexpected argument ${args[0]}\n\n${USAGE}`);
  process.exitCode = 2;
} else {
  const { publicKey, privateKey } = generateVapidKeys();
  process.stdout.write(`VAPID_PUBLIC_KEY=${publicKey}\nVAPID_PRIVATE_KEY=${privateKey}\n`);
  console.error("vapid: set both (and VAPID_SUBJECT=mailto:… or https://…) for push-worker and query-api");
}
