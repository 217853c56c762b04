import { escapeHtml, PLAIN_TEXT_WHITESPACE, plainTextOf } from "./escape";
import { htmlContexts } from "./html-context";
import { findSentinels, MAX_SLOTS, type Occurrence, sentinel } from "./sentinels";

/**
 * Compiles a template (anything that renders values to HTML and plain text) into its output
 * with slots, so that rendering it again is string substitution. The template is rendered
 * with sentinel values (see sentinels.ts), its output is split around them, and the result
 * is only accepted once it is proven to behave like the template:
 *
 * - every slot appears exactly as often as declared, in HTML text content only (never in a
 *   tag, an attribute or a URL, where text escaping would be wrong), and in the plain text
 *   only as the whole content of a line (where html-to-text's white-space rule is known);
 * - a second compile with sentinels of other lengths gives the same output around the slots,
 *   so nothing in the template depends on a value's length unless declared (`lengthCap`);
 * - a probe (HTML specials, quotes, white-space runs, U+200B, U+00A0, Hangul) substituted
 *   into the compiled output is byte-identical to the template rendering the probe.
 *
 * Anything else throws, naming the template and the slot: a template change that breaks
 * one of these fails the worker at start-up (or the first message of that shape), never
 * silently.
 */

/** One value a template shows. */
export interface SlotSpec {
  name: string;
  /** How often a non-empty value appears in the HTML and in the plain text. */
  html: number;
  text: number;
  /**
   * The template's output depends on the value's length in UTF-16 units up to this many
   * (react-email's Preview pads to 150 and cuts longer text): a compiled variant is then
   * only valid for one min(length, lengthCap), which is part of its shape.
   */
  lengthCap?: number;
}

/** What, besides the template itself, a compiled variant depends on for one slot. */
export interface SlotShape {
  /**
   * `empty`: "" (React writes no text node at all, and no `<!-- -->` separator for it);
   * `blank`: only white space to html-to-text (the plain text shows nothing, the HTML does);
   * `text`: anything else.
   */
  kind: "empty" | "blank" | "text";
  /** min(length, lengthCap) for a slot with a lengthCap. */
  length?: number;
}

export type RenderFn = (values: readonly string[]) => Promise<{ html: string; text: string }>;

export interface CompiledTemplate {
  html(values: readonly string[]): string;
  text(values: readonly string[]): string;
}

const NOT_BLANK = new RegExp(`[^${PLAIN_TEXT_WHITESPACE}]`);

export function slotShape(value: string, spec: SlotSpec): SlotShape {
  const kind = value === "" ? "empty" : NOT_BLANK.test(value) ? "text" : "blank";
  return spec.lengthCap === undefined ? { kind } : { kind, length: Math.min(value.length, spec.lengthCap) };
}

/** A compact, unambiguous key for a list of shapes. */
export const shapeKey = (shapes: readonly SlotShape[]) =>
  shapes.map((s) => (s.length === undefined ? s.kind[0] : `${s.kind[0]}${s.length}`)).join(",");

interface Ref {
  slot: number;
  /** Only the first `prefix` UTF-16 units of the value (a template that cuts it). */
  prefix?: number;
}
/** Output around slots: statics[0] ref[0] statics[1] … ref[n-1] statics[n]. */
interface Part {
  statics: string[];
  refs: Ref[];
}

function split(output: string, occurrences: readonly Occurrence[]): Part {
  const statics: string[] = [];
  const refs: Ref[] = [];
  let from = 0;
  for (const o of occurrences) {
    statics.push(output.slice(from, o.start));
    refs.push(o.prefix === undefined ? { slot: o.slot } : { slot: o.slot, prefix: o.prefix });
    from = o.end;
  }
  statics.push(output.slice(from));
  return { statics, refs };
}

/**
 * A cut as React's output has it: the template cut UTF-16 units, and the UTF-8 encoding of
 * the stream turned a surrogate half left at the cut into U+FFFD.
 */
const prefixOf = (value: string, units: number) =>
  value.length <= units ? value : value.slice(0, units).toWellFormed();

function fill(part: Part, values: readonly string[], encode: (value: string) => string): string {
  const { statics, refs } = part;
  let out = statics[0] ?? "";
  for (let i = 0; i < refs.length; i++) {
    const ref = refs[i] as Ref;
    const value = values[ref.slot] ?? "";
    out += encode(ref.prefix === undefined ? value : prefixOf(value, ref.prefix)) + statics[i + 1];
  }
  return out;
}

class CompileError extends Error {
  constructor(template: string, problem: string) {
    super(`cannot compile template ${template}: ${problem}`);
    this.name = "TemplateCompileError";
  }
}

/** A `length`-unit value of the given kind made from `pattern`. */
const sized = (pattern: string, length: number) =>
  pattern.repeat(Math.ceil(length / pattern.length)).slice(0, length);
// No astral characters: a probe cut to an exact length must stay well formed, as real values are.
const TEXT_PROBE = `a<b>&amp; "q" 'r'  \u200b z\u00a0é 한글 `;
const BLANK_PROBE = ` \u200b\t `;

type Pass = "first" | "second" | "probe";

/** How long slot `spec`'s stand-in is in a pass: exact where the length matters, varied where it must not. */
function standInLength(spec: SlotSpec, shape: SlotShape, pass: Pass): number {
  if (spec.lengthCap !== undefined && shape.length !== undefined) {
    if (shape.length < spec.lengthCap) return shape.length;
    return { first: spec.lengthCap + 8, second: 2 * spec.lengthCap + 9, probe: spec.lengthCap + 23 }[pass];
  }
  // Long enough for the second pass to expose a template that cuts a value (values are
  // bounded to 500 code points, at most 1,000 units).
  return { first: 3, second: 1_100, probe: TEXT_PROBE.length + 1 }[pass];
}

interface Compiled {
  html: Part;
  text: Part;
}

export async function compileTemplate(
  name: string,
  render: RenderFn,
  specs: readonly SlotSpec[],
  shapes: readonly SlotShape[],
): Promise<CompiledTemplate> {
  if (specs.length !== shapes.length || specs.length > MAX_SLOTS) {
    throw new CompileError(name, `${specs.length} slots, ${shapes.length} shapes (at most ${MAX_SLOTS})`);
  }
  const slotName = (slot: number) => specs[slot]?.name ?? `#${slot}`;

  async function compilePass(pass: "first" | "second"): Promise<Compiled> {
    const lengths = specs.map((spec, i) => {
      const shape = shapes[i] as SlotShape;
      return shape.kind === "empty" ? undefined : standInLength(spec, shape, pass);
    });
    const htmlValues = lengths.map((length, i) => (length === undefined ? "" : sentinel(i, length)));
    // A blank value shows nothing in the plain text, which may lay out differently from a
    // value that shows something (an empty block): that text comes from a blank stand-in.
    const textValues = lengths.map((length, i) =>
      length !== undefined && shapes[i]?.kind === "blank"
        ? sized(BLANK_PROBE, length)
        : (htmlValues[i] ?? ""),
    );
    const forHtml = await render(htmlValues);
    const forText = shapes.some((s) => s.kind === "blank") ? await render(textValues) : forHtml;
    try {
      return {
        html: htmlPart(forHtml.html, lengths),
        text: textPart(
          forText.text,
          lengths.map((length, i) => (shapes[i]?.kind === "text" ? length : undefined)),
        ),
      };
    } catch (error) {
      throw new CompileError(name, (error as Error).message);
    }
  }

  function htmlPart(html: string, lengths: readonly (number | undefined)[]): Part {
    const occurrences = findSentinels(html, lengths);
    const contexts = htmlContexts(
      html,
      occurrences.map((o) => o.start),
    );
    occurrences.forEach((o, i) => {
      if (contexts[i] !== "text") {
        const around = html.slice(Math.max(0, o.start - 60), o.start);
        throw new Error(
          `${slotName(o.slot)} lands in HTML ${contexts[i]} context (…${around}), where text escaping is wrong`,
        );
      }
    });
    expectCounts(occurrences, lengths, (spec) => spec.html, "HTML");
    return split(html, occurrences);
  }

  function textPart(text: string, lengths: readonly (number | undefined)[]): Part {
    const occurrences = findSentinels(text, lengths);
    for (const o of occurrences) {
      if (o.prefix !== undefined) throw new Error(`${slotName(o.slot)} is cut in the plain text`);
      const before = o.start === 0 ? "\n" : text[o.start - 1];
      const after = o.end === text.length ? "\n" : text[o.end];
      if (before !== "\n" || after !== "\n") {
        throw new Error(
          `${slotName(o.slot)} shares a line with other text in the plain text; only a whole block (cell, paragraph) is supported`,
        );
      }
    }
    expectCounts(occurrences, lengths, (spec) => spec.text, "plain text");
    return split(text, occurrences);
  }

  function expectCounts(
    occurrences: readonly Occurrence[],
    lengths: readonly (number | undefined)[],
    expected: (spec: SlotSpec) => number,
    where: string,
  ): void {
    specs.forEach((spec, slot) => {
      const want = lengths[slot] === undefined ? 0 : expected(spec);
      const got = occurrences.filter((o) => o.slot === slot).length;
      if (got !== want)
        throw new Error(`${spec.name} appears ${got} times in the ${where}, expected ${want}`);
    });
  }

  const first = await compilePass("first");
  const second = await compilePass("second");
  for (const part of ["html", "text"] as const) {
    const a = first[part];
    const b = second[part];
    const at = a.statics.findIndex((s, i) => s !== b.statics[i]);
    const refsDiffer = JSON.stringify(a.refs) !== JSON.stringify(b.refs);
    if (at !== -1 || refsDiffer || a.statics.length !== b.statics.length) {
      const near = at > 0 ? slotName(a.refs[at - 1]?.slot ?? -1) : slotName(a.refs[0]?.slot ?? -1);
      throw new CompileError(
        name,
        `its ${part} changes with the length of a value (near ${near}); give that slot a lengthCap or keep its length out of the template`,
      );
    }
  }

  const compiled: CompiledTemplate = {
    html: (values) => fill(first.html, values, escapeHtml),
    text: (values) => fill(first.text, values, plainTextOf),
  };

  const probe = specs.map((spec, i) => {
    const shape = shapes[i] as SlotShape;
    if (shape.kind === "empty") return "";
    const length = standInLength(spec, shape, "probe");
    // White space at both ends too (html-to-text drops it); still not blank at length 1.
    if (shape.kind === "blank") return sized(BLANK_PROBE, length);
    return length === 1 ? "a" : sized(` ${TEXT_PROBE}`, length);
  });
  const direct = await render(probe);
  for (const part of ["html", "text"] as const) {
    const got = compiled[part](probe);
    const want = direct[part];
    if (got !== want) {
      let at = 0;
      while (got[at] === want[at]) at++;
      const context = (s: string) => JSON.stringify(s.slice(Math.max(0, at - 40), at + 40));
      throw new CompileError(
        name,
        `substituting a probe into the ${part} differs from rendering it at ${at}: ${context(got)} vs ${context(want)}`,
      );
    }
  }
  return compiled;
}
