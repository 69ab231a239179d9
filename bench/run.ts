// `npm run bench [name...]`: runs every suite, or only those whose name contains one of the words.
import { suites } from './suites';

// As in the CLI: the AWS SDK's Node-version warning would interrupt the numbers on every run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const wanted = process.argv.slice(2);
const selected = wanted.length === 0 ? suites : suites.filter((s) => wanted.some((w) => s.name.includes(w)));
if (selected.length === 0) {
  console.error(
    `no bench suite matches ${wanted.join(', ')}; suites: ${suites.map((s) => s.name).join(', ')}`,
  );
  process.exit(2);
}
console.log(`node ${process.version}, ${process.arch}; numbers are from this machine and this run`);
for (const suite of selected) {
  console.log(`\n== ${suite.name}`);
  await suite.run();
}
