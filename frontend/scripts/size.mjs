// Print the gzipped size of the JavaScript that dist/index.html loads, and
// fail above the first-load budget. Run after `npm run build`.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET = 60 * 1000;
const html = readFileSync(new URL('../dist/index.html', import.meta.url), 'utf8');
const urls = [...html.matchAll(/(?:src|href)="(\/static\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
if (urls.length === 0) {
  console.error('dist/index.html references no /static/assets/*.js file');
  process.exit(1);
}

let total = 0;
for (const url of new Set(urls)) {
  const file = new URL(`../dist/${url.replace(/^\/static\//, '')}`, import.meta.url);
  const size = gzipSync(readFileSync(file)).length;
  total += size;
  console.log(`${url}  ${size} bytes gzipped`);
}
console.log(`total gzipped JS: ${total} bytes (budget ${BUDGET})`);
if (total > BUDGET) process.exit(1);
