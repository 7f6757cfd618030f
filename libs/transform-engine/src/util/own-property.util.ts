/**
 * Sets an own data property. Plain assignment of a key named `__proto__`
 * (legal in parsed JSON) would replace the object's prototype instead.
 */
export function setOwn(
  target: Record<string, unknown>,
  key: string,
  value: unknown,
): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}
