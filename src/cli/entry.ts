// Process entry: run main() and turn the outcome into an exit status. An
// unexpected exception is a bug in awsnycast, and is reported as one.
import { main } from './main.js';

// The AWS SDK warns on every start that its releases after January 2027 need
// Node 22; the lockfile pins a release that supports Node 20, so the notice
// only adds noise to the daemon's logs. An explicit setting wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`awsnycast: internal error (please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
