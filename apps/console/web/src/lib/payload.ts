/** How a dead letter's value is shown: JSON pretty-printed, any other text as it is. */
export type Payload =
  | { kind: "none" }
  | { kind: "json"; text: string; truncated: boolean }
  | { kind: "text"; text: string; truncated: boolean }
  | { kind: "binary"; base64: string; bytes: number; truncated: boolean };

/** Enough to read a record; the whole of a larger one is a download away. */
const SHOWN_CHARS = 200_000;

const clip = (text: string) => ({ text: text.slice(0, SHOWN_CHARS), truncated: text.length > SHOWN_CHARS });

/**
 * Re-indents JSON text without parsing its values: `JSON.parse` would turn an amount like
 * 15000.00 into 15000 and round ids beyond 2^53, and an operator must see what was sent.
 * Only whitespace outside strings changes; the text must already be valid JSON.
 */
function reindentJson(text: string, indent = "  "): string {
  let out = "";
  let depth = 0;
  let inString = false;
  let escaped = false;
  const newline = () => `\n${indent.repeat(depth)}`;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index] as string;
    if (inString) {
      out += char;
      if (escaped) escaped = false;
      else if (char === "\\") escaped = true;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') {
      inString = true;
      out += char;
    } else if (char === "{" || char === "[") {
      let next = index + 1;
      while (/\s/.test(text[next] ?? "")) next += 1;
      if (text[next] === (char === "{" ? "}" : "]")) {
        out += char + text[next];
        index = next;
      } else {
        depth += 1;
        out += char + newline();
      }
    } else if (char === "}" || char === "]") {
      depth -= 1;
      out += newline() + char;
    } else if (char === ",") {
      out += `,${newline()}`;
    } else if (char === ":") {
      out += ": ";
    } else if (!/\s/.test(char)) {
      out += char;
    }
  }
  return out;
}

export function describePayload(value: string | null, encoding: "utf8" | "base64" | null): Payload {
  if (value === null) return { kind: "none" };
  if (encoding === "base64") {
    const padding = value.endsWith("==") ? 2 : value.endsWith("=") ? 1 : 0;
    const { text, truncated } = clip(value);
    return { kind: "binary", base64: text, bytes: Math.floor((value.length * 3) / 4) - padding, truncated };
  }
  try {
    JSON.parse(value);
  } catch {
    return { kind: "text", ...clip(value) };
  }
  return { kind: "json", ...clip(reindentJson(value)) };
}
