/**
 * Remembers strings computed from a key (formatted amounts and dates: a schedule page formats
 * the same few hundred values on every visit). Bounded: emptied when `max` keys are reached.
 */
export function stringMemo(max: number): (key: string, make: () => string) => string {
  const seen = new Map<string, string>();
  return (key, make) => {
    let value = seen.get(key);
    if (value === undefined) {
      value = make();
      if (seen.size >= max) seen.clear();
      seen.set(key, value);
    }
    return value;
  };
}
