/** `--name value` / `--name=value` / `--flag` from argv; unknown names are an error. */
export function parseArgs(
  argv: string[],
  known: Record<string, "string" | "boolean">,
): Record<string, string | boolean> {
  const result: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith("--")) throw new Error(`unexpected argument ${arg}`);
    const [name, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
    const kind = known[name];
    if (!kind)
      throw new Error(
        `unknown option --${name} (known: ${Object.keys(known)
          .map((k) => `--${k}`)
          .join(", ")})`,
      );
    if (kind === "boolean") result[name] = true;
    else {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`--${name} needs a value`);
      result[name] = value;
    }
  }
  return result;
}

export function numberArg(
  value: string | boolean | undefined,
  fallback: number,
  name: string,
  options: { zero?: boolean } = {},
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0 || (parsed === 0 && !options.zero))
    throw new Error(`--${name} must be a ${options.zero ? "non-negative" : "positive"} number`);
  return parsed;
}
