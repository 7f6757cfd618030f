/**
 * JSON.parse that keeps integers beyond Number.MAX_SAFE_INTEGER exact by
 * turning them into strings (Jackyun ids ~1.7e18 exceed JS numbers).
 * Walks the text once, quoting integer literals of 16+ digits outside strings.
 */
export function parseJsonLossless(text: string): unknown {
  return JSON.parse(quoteBigIntegers(text));
}

export function quoteBigIntegers(text: string): string {
  let out = '';
  let i = 0;
  let last = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < n && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      const start = i;
      i++;
      while (i < n && /[0-9eE.+-]/.test(text[i] ?? '')) i++;
      const literal = text.slice(start, i);
      if (
        /^-?\d{16,}$/.test(literal) &&
        !Number.isSafeInteger(Number(literal))
      ) {
        out += `${text.slice(last, start)}"${literal}"`;
        last = i;
      }
      continue;
    }
    i++;
  }
  return out + text.slice(last);
}
