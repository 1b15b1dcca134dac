/** Checks a CLI integer option: `NAME must be an integer in LO..HI, got "V"` otherwise. */
export function intOption(v: string, name: string, lo: number, hi: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`${name} must be an integer in ${lo}..${hi}, got "${v}"`);
  return n;
}
