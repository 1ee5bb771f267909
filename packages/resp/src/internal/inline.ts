import { RespRequest } from '../resp-request.js';

const SPACE = 0x20;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const BACKSLASH = 0x5c;

function isSpace(c: number): boolean {
  // isspace() in the C locale: space, \t, \n, \v, \f, \r.
  return c === SPACE || (c >= 0x09 && c <= 0x0d);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

const ESCAPES: Record<number, number> = { 110: 0x0a, 114: 0x0d, 116: 0x09, 98: 0x08, 97: 0x07 };

/**
 * Split an inline request line `buf[from, to)` into arguments the way Redis' `sdssplitargs`
 * does: blanks separate, `"..."` understands `\n \r \t \b \a \xHH` and `\\` / `\"`, `'...'`
 * understands `\'`, and a closing quote must be followed by a blank or the end of the line.
 *
 * @returns the request (its arguments in `buf` when the line has no quotes, else copies),
 *   or `undefined` for unbalanced quotes.
 */
export function splitInlineArgs(buf: Buffer, from: number, to: number): RespRequest | undefined {
  if (!hasQuote(buf, from, to)) return splitPlain(buf, from, to);
  const args: Buffer[] = [];
  let i = from;
  const bytes: number[] = [];
  for (;;) {
    while (i < to && isSpace(buf[i] as number)) i++;
    if (i >= to) return RespRequest.of(...args);
    bytes.length = 0;
    let inDouble = false;
    let inSingle = false;
    for (;;) {
      if (i >= to) {
        if (inDouble || inSingle) return undefined;
        break;
      }
      const c = buf[i] as number;
      if (inDouble) {
        if (c === BACKSLASH && i + 3 < to && buf[i + 1] === 0x78 && hexValue(buf[i + 2] as number) >= 0 && hexValue(buf[i + 3] as number) >= 0) {
          bytes.push(hexValue(buf[i + 2] as number) * 16 + hexValue(buf[i + 3] as number));
          i += 4;
          continue;
        }
        if (c === BACKSLASH && i + 1 < to) {
          const e = buf[i + 1] as number;
          bytes.push(ESCAPES[e] ?? e);
          i += 2;
          continue;
        }
        if (c === DQUOTE) {
          if (i + 1 < to && !isSpace(buf[i + 1] as number)) return undefined;
          i++;
          break;
        }
        bytes.push(c);
        i++;
        continue;
      }
      if (inSingle) {
        if (c === BACKSLASH && i + 1 < to && buf[i + 1] === SQUOTE) {
          bytes.push(SQUOTE);
          i += 2;
          continue;
        }
        if (c === SQUOTE) {
          if (i + 1 < to && !isSpace(buf[i + 1] as number)) return undefined;
          i++;
          break;
        }
        bytes.push(c);
        i++;
        continue;
      }
      if (isSpace(c)) break;
      if (c === DQUOTE) inDouble = true;
      else if (c === SQUOTE) inSingle = true;
      else bytes.push(c);
      i++;
    }
    args.push(Buffer.from(bytes));
  }
}

function hasQuote(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = buf[i] as number;
    if (c === DQUOTE || c === SQUOTE) return true;
  }
  return false;
}

/** No quotes on the line: the arguments are views of it (no copy). */
function splitPlain(buf: Buffer, from: number, to: number): RespRequest {
  const offsets: number[] = [];
  let i = from;
  for (;;) {
    while (i < to && isSpace(buf[i] as number)) i++;
    if (i >= to) return new RespRequest(buf, offsets);
    const start = i;
    while (i < to && !isSpace(buf[i] as number)) i++;
    offsets.push(start, i - start);
  }
}
