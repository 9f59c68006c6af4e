// web-test-runner runs these files under mocha's BDD globals; @types/mocha is not installed.
type MochaDone = (error?: unknown) => void;
// biome-ignore lint/suspicious/noConfusingVoidType: mocha's contract: a test returns nothing or a promise
type MochaFn = (this: unknown, done: MochaDone) => void | Promise<unknown>;

declare function describe(title: string, body: () => void): void;
declare function it(title: string, body?: MochaFn): void;
declare namespace it {
  function skip(title: string, body?: MochaFn): void;
  function only(title: string, body?: MochaFn): void;
}
declare function before(body: MochaFn): void;
declare function after(body: MochaFn): void;
declare function beforeEach(body: MochaFn): void;
declare function afterEach(body: MochaFn): void;
