// The two functions of Node's fs that tests/board-sequences.test.ts uses (the front end
// does not depend on @types/node).
declare module 'node:fs' {
  export function existsSync(path: string | URL): boolean;
  export function readFileSync(path: string | URL, encoding: 'utf8'): string;
}
