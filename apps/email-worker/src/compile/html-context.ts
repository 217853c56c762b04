/**
 * Where a position of React's HTML output lies: in text content, where React's text
 * escaping is exactly right for a substituted value, or somewhere it is not (inside a tag,
 * i.e. a tag name or an attribute such as a style or an href; in a comment; in the raw text
 * of a <script> or <style>, which is never unescaped). React's output is well formed, so a
 * small left-to-right scan is enough; it is not a general HTML tokenizer.
 */
export type HtmlContext = "text" | "tag" | "comment" | "raw text";

interface Span {
  start: number;
  end: number;
  context: Exclude<HtmlContext, "text">;
}

const RAW_TEXT = new Set(["script", "style"]);
const TAG_START = /[A-Za-z!/?]/;

function tagEnd(html: string, from: number): number {
  let quote = "";
  for (let i = from; i < html.length; i++) {
    const char = html[i];
    if (quote) {
      if (char === quote) quote = "";
    } else if (char === '"' || char === "'") quote = char;
    else if (char === ">") return i + 1;
  }
  return html.length;
}

/** The spans of `html` that are not text content. */
function nonTextSpans(html: string): Span[] {
  const spans: Span[] = [];
  let i = html.indexOf("<");
  while (i !== -1 && i < html.length) {
    if (html.startsWith("<!--", i)) {
      const close = html.indexOf("-->", i + 4);
      const end = close === -1 ? html.length : close + 3;
      spans.push({ start: i, end, context: "comment" });
      i = end;
    } else if (TAG_START.test(html[i + 1] ?? "")) {
      const end = tagEnd(html, i + 1);
      spans.push({ start: i, end, context: "tag" });
      const name = /^<([A-Za-z][A-Za-z0-9-]*)/.exec(html.slice(i, end))?.[1]?.toLowerCase();
      i = end;
      if (name && RAW_TEXT.has(name)) {
        const close = html.toLowerCase().indexOf(`</${name}`, end);
        const rawEnd = close === -1 ? html.length : close;
        spans.push({ start: end, end: rawEnd, context: "raw text" });
        i = rawEnd;
      }
    } else {
      i++;
    }
    i = html.indexOf("<", i);
  }
  return spans;
}

/** The context of each position (any order). */
export function htmlContexts(html: string, positions: readonly number[]): HtmlContext[] {
  const spans = nonTextSpans(html);
  return positions.map((position) => {
    // Few spans per template (hundreds); a linear search per slot occurrence is plenty.
    const span = spans.find((s) => position >= s.start && position < s.end);
    return span?.context ?? "text";
  });
}
