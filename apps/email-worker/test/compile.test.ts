import { describe, expect, test } from "vitest";
import { escapeHtml } from "../src/compile/escape";
import { compileTemplate, type SlotSpec, slotShape } from "../src/compile/template";
import { htmlToPlainText } from "../src/react-render";

/** A template as a string function (React would escape text the same way: escapeHtml is React's). */
const template = (build: (v: readonly string[]) => string) => async (values: readonly string[]) => {
  const html = build(values.map(escapeHtml));
  return { html, text: htmlToPlainText(html) };
};

const once = (name = "value"): SlotSpec => ({ name, html: 1, text: 1 });
const compile = (build: (v: readonly string[]) => string, specs: SlotSpec[] = [once()], values = ["x"]) =>
  compileTemplate(
    "test",
    template(build),
    specs,
    values.map((value, i) => slotShape(value, specs[i] as SlotSpec)),
  );

describe("template compiler", () => {
  test("substitutes escaped values into the HTML and html-to-text's rendering into the text", async () => {
    const build = ([a, b]: readonly string[]) =>
      `<div><p>Hello</p><table><tr><td>${a}</td><td>${b}</td></tr></table></div>`;
    const compiled = await compile(build, [once("a"), once("b")], ["x", "y"]);
    for (const values of [
      ["<b>&amp;</b>", ` "q" 'r' `],
      ["\u200b a \u200b  b\u00a0", "한글 😀"],
    ]) {
      const direct = await template(build)(values);
      expect(compiled.html(values)).toBe(direct.html);
      expect(compiled.text(values)).toBe(direct.text);
    }
  });

  test("refuses a value inside a tag: an attribute, a style, a URL", async () => {
    await expect(
      compile(([v]) => `<p title="${v}">x</p><p>${v}</p>`, [{ name: "v", html: 2, text: 1 }]),
    ).rejects.toThrow(/v lands in HTML tag context/);
    await expect(
      compile(([v]) => `<a href="https://x.test/${v}">${v}</a>`, [{ name: "v", html: 2, text: 1 }]),
    ).rejects.toThrow(/tag context/);
  });

  test("refuses a value in a comment or in the raw text of a <style> or <script>", async () => {
    await expect(
      compile(([v]) => `<!-- ${v} --><p>${v}</p>`, [{ name: "v", html: 2, text: 1 }]),
    ).rejects.toThrow(/comment context/);
    await expect(
      compile(([v]) => `<style>.a{content:"${v}"}</style><p>${v}</p>`, [{ name: "v", html: 2, text: 1 }]),
    ).rejects.toThrow(/raw text context/);
  });

  test("refuses a value that disappears or is shown more often than declared", async () => {
    await expect(compile(() => "<p>nothing</p>")).rejects.toThrow(
      /value appears 0 times in the HTML, expected 1/,
    );
    await expect(compile(([v]) => `<p>${v}</p><p>${v}</p>`)).rejects.toThrow(
      /appears 2 times in the HTML, expected 1/,
    );
    await expect(
      compile(
        ([v]) => `<p>${v}</p><div data-skip-in-text="true">x</div>`,
        [{ name: "value", html: 1, text: 0 }],
      ),
    ).rejects.toThrow(/appears 1 times in the plain text, expected 0/);
  });

  test("refuses output that depends on a value's length, or a cut, unless declared", async () => {
    await expect(compile(([v]) => `<p>${v}</p><p>${"-".repeat(v?.length ?? 0)}</p>`)).rejects.toThrow(
      /changes with the length of a value/,
    );
    await expect(compile(([v]) => `<p>${v?.slice(0, 10)}</p>`)).rejects.toThrow(/is cut/);
  });

  test("a declared length dependence (a Preview-like cut and padding) compiles per length and substitutes exactly", async () => {
    const cap = 5;
    const specs: SlotSpec[] = [{ name: "v", html: 2, text: 1, lengthCap: cap }];
    // Unescaped values here, so the cut sees the value's own units, as React's Preview does.
    const render = async (values: readonly string[]) => {
      const [v = ""] = values;
      const html = `<div data-skip-in-text="true">${escapeHtml(v.slice(0, cap).toWellFormed())}${".".repeat(Math.max(0, cap - v.length))}</div><p>${escapeHtml(v)}</p>`;
      return { html, text: htmlToPlainText(html) };
    };
    for (const value of ["a", "ab<", "abcd", "abcde", "abcdef&", "ab😀cd", "abcd😀x", "0123456789"]) {
      const compiled = await compileTemplate("cap", render, specs, [slotShape(value, specs[0] as SlotSpec)]);
      const direct = await render([value]);
      expect(compiled.html([value])).toBe(direct.html);
      expect(compiled.text([value])).toBe(direct.text);
    }
  });

  test("refuses a template that transforms a value (the probe catches what sentinels cannot)", async () => {
    const upper = async (values: readonly string[]) => {
      const html = `<p>${escapeHtml((values[0] ?? "").toUpperCase())}</p>`;
      return { html, text: htmlToPlainText(html) };
    };
    await expect(compileTemplate("upper", upper, [once()], [slotShape("x", once())])).rejects.toThrow(
      /substituting a probe into the html differs/,
    );
  });

  test("refuses a value that shares a line with other text in the plain text", async () => {
    await expect(compile(([v]) => `<p>Total: ${v}</p>`)).rejects.toThrow(/shares a line with other text/);
  });

  test("refuses a template whose own text holds a sentinel code point", async () => {
    await expect(compile(([v]) => `<p>\ue100</p><p>${v}</p>`)).rejects.toThrow(/out of place/);
  });

  test("empty and blank values are variants of their own: no text node, an empty block", async () => {
    const build = ([a, b]: readonly string[]) => `<p>${a}</p><table><tr><td>${b}</td></tr></table><p>end</p>`;
    const compiled = await compile(build, [once("a"), once("b")], ["", " \u200b "]);
    for (const values of [
      ["", "\u200b"],
      ["", "  \t "],
    ]) {
      const direct = await template(build)(values);
      expect(compiled.html(values)).toBe(direct.html);
      expect(compiled.text(values)).toBe(direct.text);
    }
  });
});
