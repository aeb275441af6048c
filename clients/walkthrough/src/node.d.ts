// The Node built-ins the walk-through uses, declared here so that no
// @types package is needed.
declare module "node:fs" {
  export function readFileSync(path: URL, encoding: "utf8"): string;
  export function readFileSync(path: URL): Uint8Array<ArrayBuffer>;
}
declare const process: { env: Record<string, string | undefined>; exit(code: number): never };
