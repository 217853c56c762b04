/**
 * Sentinel slot values, rendered in place of real data when a template is compiled. Slot i
 * renders as OPEN(i) FILL(i)… CLOSE(i): private-use code points (U+E000–U+E2FF) that React
 * and html-to-text pass through untouched, that escaping leaves alone, and that no template
 * text contains (a stray one fails the compile). A sentinel has whatever length the
 * compiler asks for, so a template that depends on a value's length (react-email's Preview
 * pads to 150 units) can be compiled for a given length; a template that cuts a value shows
 * OPEN(i) FILL(i)… without CLOSE(i), which reads as "the first n units of slot i".
 */

const OPEN = 0xe000;
const FILL = 0xe100;
const CLOSE = 0xe200;
const END = 0xe300;
export const MAX_SLOTS = FILL - OPEN;

/** Slot `slot`'s sentinel, exactly `length` UTF-16 units long (length ≥ 1). */
export function sentinel(slot: number, length: number): string {
  if (slot < 0 || slot >= MAX_SLOTS) throw new RangeError(`slot ${slot} out of range`);
  if (!Number.isInteger(length) || length < 1) throw new RangeError(`sentinel length ${length}`);
  if (length === 1) return String.fromCharCode(OPEN + slot);
  return (
    String.fromCharCode(OPEN + slot) +
    String.fromCharCode(FILL + slot).repeat(length - 2) +
    String.fromCharCode(CLOSE + slot)
  );
}

export interface Occurrence {
  slot: number;
  /** Where the sentinel (or what is left of it) starts and ends in the output. */
  start: number;
  end: number;
  /** Undefined: the whole value. A number: only its first `prefix` UTF-16 units. */
  prefix?: number;
}

const isMarker = (code: number) => code >= OPEN && code < END;

/**
 * Every sentinel in `output`, in order, given the length each slot's sentinel had. Throws
 * when the template altered one (reordered, split, repeated within itself or dropped its
 * start): such a template cannot be compiled into substitution.
 */
export function findSentinels(output: string, lengths: readonly (number | undefined)[]): Occurrence[] {
  const found: Occurrence[] = [];
  for (let i = 0; i < output.length; i++) {
    const code = output.charCodeAt(i);
    if (!isMarker(code)) continue;
    const slot = code - OPEN;
    const length = lengths[slot];
    if (code >= FILL || length === undefined) {
      throw new Error(`a slot marker (U+${code.toString(16).toUpperCase()}) appears out of place`);
    }
    const start = i;
    let units = 1;
    while (output.charCodeAt(i + 1) === FILL + slot) {
      i++;
      units++;
    }
    if (output.charCodeAt(i + 1) === CLOSE + slot) {
      i++;
      units++;
      if (units !== length) throw new Error(`slot ${slot} came out ${units} units long instead of ${length}`);
      found.push({ slot, start, end: i + 1 });
    } else if (units === length && length === 1) {
      found.push({ slot, start, end: i + 1 });
    } else if (units < length) {
      found.push({ slot, start, end: i + 1, prefix: units });
    } else {
      throw new Error(`slot ${slot} came out altered`);
    }
  }
  return found;
}
