/**
 * Whether JSON text nests arrays and objects deeper than `max`, read in one pass without parsing: the server walks
 * and re-serializes what rules hand back, and V8's JSON.stringify is quadratic in depth (thousands of levels would
 * block the event loop for a noticeable time).
 */
export function isNestedDeeper(text: string, max: number): boolean {
  let depth = 0;
  let isInString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isInString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) isInString = false;
    } else if (c === 0x22) isInString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
