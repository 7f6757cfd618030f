/**
 * Exact decimal arithmetic on a scaled bigint (mantissa × 10^-scale).
 * Money and quantities go through this type so sums never drift the way
 * binary floats do (0.1 + 0.2 is exactly 0.3 here).
 */
const POW10: bigint[] = Array.from({ length: 64 }, (_v, i) => 10n ** BigInt(i));

/** 10^n as a bigint (cached for small n). */
function pow10(n: number): bigint {
  return n < POW10.length ? (POW10[n] as bigint) : 10n ** BigInt(n);
}

export class Decimal {
  private constructor(
    readonly mantissa: bigint,
    readonly scale: number,
  ) {}

  static readonly ZERO = new Decimal(0n, 0);

  /** Division keeps this many decimals (then rounds half up). */
  static readonly DIVISION_SCALE = 10;

  static of(value: unknown): Decimal | undefined {
    if (value instanceof Decimal) return value;
    if (typeof value === 'number') {
      if (Number.isSafeInteger(value)) return new Decimal(BigInt(value), 0);
      if (!Number.isFinite(value)) return undefined;
      return Decimal.parse(String(value));
    }
    if (typeof value === 'bigint') return new Decimal(value, 0);
    if (typeof value === 'string') return Decimal.parse(value.trim());
    return undefined;
  }

  static parse(text: string): Decimal | undefined {
    const match = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
    if (!match) return undefined;
    const [, sign, intPart = '', fracPart = '', expPart] = match;
    if (intPart === '' && fracPart === '') return undefined;
    let mantissa = BigInt(`${intPart}${fracPart}` || '0');
    let scale = fracPart.length;
    const exp = expPart === undefined ? 0 : Number(expPart);
    if (exp > 0) {
      if (exp >= scale) {
        mantissa *= pow10(exp - scale);
        scale = 0;
      } else scale -= exp;
    } else if (exp < 0) scale -= exp;
    if (sign === '-') mantissa = -mantissa;
    return new Decimal(mantissa, scale).normalize();
  }

  private static align(a: Decimal, b: Decimal): [bigint, bigint, number] {
    if (a.scale === b.scale) return [a.mantissa, b.mantissa, a.scale];
    if (a.scale > b.scale) {
      return [a.mantissa, b.mantissa * pow10(a.scale - b.scale), a.scale];
    }
    return [a.mantissa * pow10(b.scale - a.scale), b.mantissa, b.scale];
  }

  add(other: Decimal): Decimal {
    const [x, y, scale] = Decimal.align(this, other);
    return new Decimal(x + y, scale);
  }

  sub(other: Decimal): Decimal {
    const [x, y, scale] = Decimal.align(this, other);
    return new Decimal(x - y, scale);
  }

  mul(other: Decimal): Decimal {
    return new Decimal(
      this.mantissa * other.mantissa,
      this.scale + other.scale,
    ).normalize();
  }

  /** Returns undefined on division by zero. */
  div(other: Decimal, scale = Decimal.DIVISION_SCALE): Decimal | undefined {
    if (other.mantissa === 0n) return undefined;
    // (a/10^sa) / (b/10^sb) = a * 10^(sb - sa) / b; compute with `scale + 1` digits, then round.
    const shift = scale + 1 + other.scale - this.scale;
    let num = this.mantissa;
    let den = other.mantissa;
    if (shift >= 0) num *= pow10(shift);
    else den *= pow10(-shift);
    return new Decimal(num / den, scale + 1).round(scale);
  }

  /** Remainder with the sign of the dividend; undefined on zero divisor. */
  mod(other: Decimal): Decimal | undefined {
    if (other.mantissa === 0n) return undefined;
    const [x, y, scale] = Decimal.align(this, other);
    return new Decimal(x % y, scale).normalize();
  }

  neg(): Decimal {
    return new Decimal(-this.mantissa, this.scale);
  }

  abs(): Decimal {
    return this.mantissa < 0n ? this.neg() : this;
  }

  /** Rounds half away from zero (ROUND_HALF_UP, the usual rule for money). */
  round(digits = 0): Decimal {
    if (this.scale <= digits) return this;
    const drop = pow10(this.scale - digits);
    const negative = this.mantissa < 0n;
    const abs = negative ? -this.mantissa : this.mantissa;
    let q = abs / drop;
    if ((abs % drop) * 2n >= drop) q += 1n;
    return new Decimal(negative ? -q : q, digits).normalize();
  }

  floor(): Decimal {
    if (this.scale <= 0) return this;
    const drop = pow10(this.scale);
    let q = this.mantissa / drop;
    if (this.mantissa < 0n && this.mantissa % drop !== 0n) q -= 1n;
    return new Decimal(q, 0);
  }

  ceil(): Decimal {
    return this.neg().floor().neg();
  }

  cmp(other: Decimal): -1 | 0 | 1 {
    const [x, y] = Decimal.align(this, other);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  isZero(): boolean {
    return this.mantissa === 0n;
  }

  /** Drops trailing zero decimals (1.2300 -> 1.23). */
  normalize(): Decimal {
    if (this.scale <= 0 || this.mantissa % 10n !== 0n) return this;
    let m = this.mantissa;
    let s = this.scale;
    while (s > 0 && m % 10n === 0n) {
      m /= 10n;
      s -= 1;
    }
    return new Decimal(m, s);
  }

  toString(): string {
    if (this.scale <= 0) return (this.mantissa * pow10(-this.scale)).toString();
    const negative = this.mantissa < 0n;
    const digits = (negative ? -this.mantissa : this.mantissa)
      .toString()
      .padStart(this.scale + 1, '0');
    const cut = digits.length - this.scale;
    const text = `${digits.slice(0, cut)}.${digits.slice(cut)}`.replace(
      /\.?0+$/,
      '',
    );
    return negative && text !== '0' ? `-${text}` : text;
  }

  /** The nearest double; prints back as the same decimal text for ≤ 15 significant digits. */
  toNumber(): number {
    return Number(this.toString());
  }

  toJSON(): number {
    return this.toNumber();
  }
}
