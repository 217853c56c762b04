import type { ParseResult } from "./records";

/**
 * Exact decimals as FluxPay sends them (CONTRACT §1). Jackson serialises a BigDecimal as
 * `15000.00`, `15000`, `1.5E+4` or `150E-2` depending on its configuration, so any JSON
 * number must be read, and read exactly: the value is kept as text, never through a float.
 */

/**
 * The most digits an amount may have: what PostgreSQL `numeric(38, s)` (and Java's
 * common `DECIMAL(38, s)` column) holds. Counted as PostgreSQL counts precision, the digits
 * on both sides of the point of the plain form (`15000.00` has 7, `0.001` has 3).
 * Anything longer is not a payment amount; it is dead-lettered as invalid data.
 */
export const MAX_DECIMAL_DIGITS = 38;

/**
 * An exponent with more digits than this cannot give a plain form within the cap, and
 * parsing it as a number could lose precision; rejected before any arithmetic.
 */
const MAX_EXPONENT_DIGITS = 6;

/**
 * A JSON number (RFC 8259 §6), with leading zeros tolerated in the integer part for amounts
 * that travel as JSON strings ("0015000" is read as 15000).
 */
const NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?)(\d+))?$/;

const reject = (reason: string): ParseResult<string> => ({ ok: false, reason });

/**
 * `1.5E+4` → `15000`, `15000.00` → `15000.00` (the producer's scale is kept), `150E-2` →
 * `1.50`, `-0` → `0`, `1e-3` → `0.001`. The result is the plain exact form of the same
 * BigDecimal (unscaled value and scale), no digit lost or invented. The digit cap is
 * checked arithmetically before the plain form is built, so `1E+999999` allocates nothing.
 */
export function normaliseDecimal(text: string): ParseResult<string> {
  const match = NUMBER.exec(text);
  if (!match) return reject("must be a decimal number such as 15000.00");
  const [, sign = "", integer = "", fraction = "", exponentSign = "", exponentText = "0"] = match;
  const exponentDigits = exponentText.replace(/^0+(?=\d)/, "");
  if (exponentDigits.length > MAX_EXPONENT_DIGITS) return tooManyDigits("an exponent of that size");
  const exponent = Number(exponentDigits) * (exponentSign === "-" ? -1 : 1);

  // value = coefficient × 10^-scale, as BigDecimal holds it.
  const coefficient = `${integer}${fraction}`.replace(/^0+/, "");
  const scale = fraction.length - exponent;
  const isZero = coefficient === "";
  const precision = isZero
    ? Math.max(scale, 0)
    : scale <= 0
      ? coefficient.length - scale
      : Math.max(coefficient.length, scale);
  if (precision > MAX_DECIMAL_DIGITS) return tooManyDigits(`${precision} digits`);

  if (scale <= 0) return { ok: true, value: isZero ? "0" : `${sign}${coefficient}${"0".repeat(-scale)}` };
  const digits = coefficient.padStart(scale + 1, "0");
  const plain = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  // BigDecimal has no negative zero: -0.00 is 0.00.
  return { ok: true, value: isZero ? plain : `${sign}${plain}` };
}

function tooManyDigits(what: string): ParseResult<string> {
  return reject(
    `has ${what}; an amount may have at most ${MAX_DECIMAL_DIGITS} digits (what numeric(${MAX_DECIMAL_DIGITS}, s) holds)`,
  );
}
