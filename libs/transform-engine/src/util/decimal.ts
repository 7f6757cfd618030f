import DecimalJs from 'decimal.js';

/**
 * Exact decimal arithmetic for money and quantities, so sums never drift the
 * way binary floats do (0.1 + 0.2 is exactly 0.3 here). A thin face over
 * decimal.js: the arithmetic is the library's, the rules are ours —
 * sums, differences and products are exact (precision is the library's
 * maximum, so nothing is cut to significant digits), division keeps
 * DIVISION_SCALE decimals, rounding is half away from zero, text is never in
 * exponent notation and there is no negative zero.
 */
const Exact = DecimalJs.clone({
  precision: 1e9,
  rounding: DecimalJs.ROUND_HALF_UP,
  modulo: DecimalJs.ROUND_DOWN,
  toExpNeg: -9e15,
  toExpPos: 9e15,
});
type Exact = InstanceType<typeof Exact>;

/** What plans and platforms write: sign, digits, optional fraction and exponent. */
export const DECIMAL_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** 10^n, exact for any integer n. */
const pow10 = (n: number): Exact => new Exact(`1e${n}`);

export class Decimal {
  /** exactDouble's answer once asked (null: none). */
  private double: number | null | undefined;

  private constructor(private readonly value: Exact) {}

  /** The one way in: a finite value, with negative zero made zero. */
  private static from(value: Exact): Decimal {
    return new Decimal(value.isZero() ? new Exact(0) : value);
  }

  static readonly ZERO = Decimal.from(new Exact(0));

  /** Division keeps this many decimals (then rounds half up). */
  static readonly DIVISION_SCALE = 10;

  static of(value: unknown): Decimal | undefined {
    if (value instanceof Decimal) return value;
    if (typeof value === 'number') {
      if (Number.isSafeInteger(value)) return Decimal.from(new Exact(value));
      if (!Number.isFinite(value)) return undefined;
      return Decimal.parse(String(value));
    }
    if (typeof value === 'bigint')
      return Decimal.from(new Exact(value.toString()));
    if (typeof value === 'string') return Decimal.parse(value.trim());
    return undefined;
  }

  static parse(text: string): Decimal | undefined {
    if (!DECIMAL_TEXT.test(text)) return undefined;
    const value = new Exact(text);
    return value.isFinite() ? Decimal.from(value) : undefined;
  }

  /** The digits without the point: value = mantissa × 10^-scale. */
  get mantissa(): bigint {
    return BigInt(this.value.times(pow10(this.scale)).toFixed());
  }

  /** Decimals after the point once trailing zeros are dropped. */
  get scale(): number {
    return this.value.decimalPlaces();
  }

  add(other: Decimal): Decimal {
    return Decimal.from(this.value.plus(other.value));
  }

  sub(other: Decimal): Decimal {
    return Decimal.from(this.value.minus(other.value));
  }

  mul(other: Decimal): Decimal {
    return Decimal.from(this.value.times(other.value));
  }

  /** Returns undefined on division by zero. */
  div(other: Decimal, scale = Decimal.DIVISION_SCALE): Decimal | undefined {
    if (other.isZero()) return undefined;
    // The quotient truncated to `scale` decimals, plus one unit when the
    // exact remainder is at least half the divisor: half away from zero.
    const shifted = this.value.times(pow10(scale));
    const q = shifted.divToInt(other.value);
    const rest = shifted.minus(q.times(other.value)).abs().times(2);
    const away = rest.gte(other.value.abs())
      ? q.plus(shifted.isNegative() !== other.value.isNegative() ? -1 : 1)
      : q;
    return Decimal.from(away.times(pow10(-scale)));
  }

  /** Remainder with the sign of the dividend; undefined on zero divisor. */
  mod(other: Decimal): Decimal | undefined {
    if (other.isZero()) return undefined;
    return Decimal.from(this.value.mod(other.value));
  }

  neg(): Decimal {
    return Decimal.from(this.value.negated());
  }

  abs(): Decimal {
    return this.value.isNegative() ? this.neg() : this;
  }

  /** Rounds half away from zero (ROUND_HALF_UP, the usual rule for money); negative digits round to tens, hundreds, … */
  round(digits = 0): Decimal {
    if (digits >= 0) {
      return Decimal.from(
        this.value.toDecimalPlaces(digits, DecimalJs.ROUND_HALF_UP),
      );
    }
    const rounded = this.value
      .times(pow10(digits))
      .toDecimalPlaces(0, DecimalJs.ROUND_HALF_UP);
    return Decimal.from(rounded.times(pow10(-digits)));
  }

  floor(): Decimal {
    return Decimal.from(this.value.floor());
  }

  ceil(): Decimal {
    return Decimal.from(this.value.ceil());
  }

  cmp(other: Decimal): -1 | 0 | 1 {
    const c = this.value.comparedTo(other.value);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }

  isZero(): boolean {
    return this.value.isZero();
  }

  /** Trailing zero decimals are never kept (1.2300 is 1.23), so this is the value itself. */
  normalize(): Decimal {
    return this;
  }

  toString(): string {
    return this.value.toFixed();
  }

  /**
   * The double when it orders and equals exactly like this value (at most 15 significant digits, well inside
   * the double range: each such decimal has its own double), else undefined.
   */
  exactDouble(): number | undefined {
    if (this.double === undefined) {
      const v = this.value;
      this.double =
        v.sd(true) <= 15 && v.e >= -300 && v.e <= 300
          ? Number(v.toFixed())
          : null;
    }
    return this.double ?? undefined;
  }

  /** The nearest double; prints back as the same decimal text for ≤ 15 significant digits. */
  toNumber(): number {
    return Number(this.toString());
  }

  toJSON(): number {
    return this.toNumber();
  }
}
