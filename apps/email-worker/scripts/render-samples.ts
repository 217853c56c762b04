/**
 * Renders every email template in both locales with sample data into out/ (gitignored), so
 * a person can look at them: `pnpm exec tsx scripts/render-samples.ts [outDir]`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { SAMPLE_TEMPLATE_DATA } from "@fluxnotify/shared/delivery/testing";
import { createEmailRenderer } from "../src/email-renderer";
import { EMAIL_TEMPLATES } from "../src/templates/events";

export async function renderSamples(outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const renderer = createEmailRenderer();
  for (const eventType of Object.keys(EMAIL_TEMPLATES)) {
    for (const locale of ["ko", "en"] as const) {
      const email = await renderer.render({
        eventType,
        templateData: SAMPLE_TEMPLATE_DATA[eventType] ?? {},
        recipient: { userId: "sample-user", locale, timeZone: "Asia/Seoul" },
      });
      const base = join(outDir, `${eventType.replace("com.fluxpay.", "")}.${locale}`);
      await writeFile(`${base}.html`, email.html);
      await writeFile(`${base}.txt`, `Subject: ${email.subject}\n\n${email.text}\n`);
      written.push(`${base}.html`, `${base}.txt`);
    }
  }
  return written;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outDir = resolve(process.argv[2] ?? join(import.meta.dirname, "..", "out"));
  const files = await renderSamples(outDir);
  console.log(`wrote ${files.length} files to ${outDir}`);
}
