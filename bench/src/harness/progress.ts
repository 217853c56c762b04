/**
 * A one-line progress bar on a terminal (redrawn in place, at most every 100 ms); a plain
 * line every 5 s when output goes to a file, so logs stay readable.
 */
export function progressBar(label: string, total: number, stream: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  let lastDraw = 0;
  const width = 30;
  const render = (done: number, extra: string) => {
    const ratio = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(ratio * width);
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
    return `${label} ${bar} ${(ratio * 100).toFixed(0).padStart(3)}% ${done}/${total} ${rate}/s ${extra}`;
  };
  return {
    update(done: number, extra = "") {
      const now = Date.now();
      const interval = stream.isTTY ? 100 : 5_000;
      if (now - lastDraw < interval || done >= total) return; // done() draws the last line
      lastDraw = now;
      if (stream.isTTY) stream.write(`\r\x1b[2K${render(done, extra)}`);
      else stream.write(`${render(done, extra)}\n`);
    },
    done(done: number, extra = "") {
      const line = render(done, extra);
      stream.write(stream.isTTY ? `\r\x1b[2K${line}\n` : `${line}\n`);
    },
  };
}
