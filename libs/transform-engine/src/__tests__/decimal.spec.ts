import { describe, expect, it } from 'vitest';
import { Decimal } from '../util/decimal';

// Known answers written down from the bigint implementation this type had
// before it sat on decimal.js: each case is one where a generic decimal
// library could answer differently (significant-digit precision, negative
// zero, exponent notation, rounding mode, remainder sign).
const d = (text: string): Decimal => Decimal.parse(text) as Decimal;

describe('Decimal known answers', () => {
  it.each([
    // More significant digits than decimal.js's default precision (20).
    [
      '123456789012345678901234567890.123456789',
      '0.000000000000000000000000000001',
      '123456789012345678901234567890.123456789000000000000000000001',
    ],
    ['99999999999999999999.99', '0.01', '100000000000000000000'],
    ['0.1', '0.2', '0.3'],
    ['-0.1', '0.1', '0'],
  ])('should add %s and %s to exactly %s', (a, b, sum) => {
    expect(d(a).add(d(b)).toString()).toBe(sum);
  });

  it('should sum a thousand cent amounts without drift', () => {
    let total = Decimal.ZERO;
    for (let i = 0; i < 1000; i++) total = total.add(d('0.01'));
    expect(total.toString()).toBe('10');
    expect(total.toNumber()).toBe(10);
  });

  it('should multiply and subtract exactly at many decimal places', () => {
    expect(d('1.000000000000000000001').mul(d('3')).toString()).toBe(
      '3.000000000000000000003',
    );
    expect(
      d('12345678901234567890').mul(d('98765432109876543210')).toString(),
    ).toBe('1219326311370217952237463801111263526900');
    expect(d('1').sub(d('0.000000000000000000000000000001')).toString()).toBe(
      '0.999999999999999999999999999999',
    );
  });

  it.each([
    ['2.5', 0, '3'],
    ['-2.5', 0, '-3'],
    ['0.125', 2, '0.13'],
    ['-0.125', 2, '-0.13'],
    ['0.124999999999999999999', 2, '0.12'],
    ['1.0000005', 6, '1.000001'],
    ['125', -1, '130'],
    ['-125', -1, '-130'],
    ['1.5', 3, '1.5'],
  ])('should round %s half away from zero to %d places as %s', (v, n, out) => {
    expect(d(v).round(n).toString()).toBe(out);
  });

  it('should divide to ten places, rounding half up, as the plans do', () => {
    expect(d('2').div(d('3'))?.toString()).toBe('0.6666666667');
    expect(d('-2').div(d('3'))?.toString()).toBe('-0.6666666667');
    expect(d('1').div(d('8'), 2)?.toString()).toBe('0.13');
    expect(d('123456789012345678901234567890').div(d('7'))?.toString()).toBe(
      '17636684144620811271604938270',
    );
    // The shipped retail plan: round(shareFavourableAfterFee / sellCount, 6).
    expect(d('100').div(d('3'))?.round(6).toString()).toBe('33.333333');
    expect(d('0.05').div(d('3'))?.round(6).toString()).toBe('0.016667');
    expect(d('1').div(d('0'))).toBeUndefined();
  });

  it('should take the remainder with the sign of the dividend', () => {
    expect(d('-7').mod(d('3'))?.toString()).toBe('-1');
    expect(d('7').mod(d('-3'))?.toString()).toBe('1');
    expect(d('5.5').mod(d('2'))?.toString()).toBe('1.5');
    expect(d('1').mod(d('0'))).toBeUndefined();
  });

  it('should floor and ceil towards the right infinity', () => {
    expect(d('-1.5').floor().toString()).toBe('-2');
    expect(d('-1.5').ceil().toString()).toBe('-1');
    expect(d('1.0000000000000000000001').ceil().toString()).toBe('2');
  });

  it('should never show or return a negative zero', () => {
    for (const z of [
      d('-0'),
      d('-0.000'),
      d('-0.4').round(0),
      d('0.5').neg().add(d('0.5')),
      d('-1').mul(Decimal.ZERO),
      d('-0.001').ceil(),
    ]) {
      expect(z.toString()).toBe('0');
      expect(Object.is(z.toNumber(), 0)).toBe(true);
      expect(z.isZero()).toBe(true);
      expect(JSON.stringify({ z })).toBe('{"z":0}');
    }
    expect(Decimal.of(-0)?.toString()).toBe('0');
  });

  it('should print plain digits, never exponent notation', () => {
    expect(d('1e21').toString()).toBe('1000000000000000000000');
    expect(d('1.5e-10').toString()).toBe('0.00000000015');
    expect(d('-12.3400').toString()).toBe('-12.34');
    expect(Decimal.of(1e21)?.toString()).toBe('1000000000000000000000');
    expect(Decimal.of(0.1)?.add(d('0.2')).toString()).toBe('0.3');
  });

  it.each([
    ['abc'],
    [''],
    ['.'],
    ['0x10'],
    ['Infinity'],
    ['NaN'],
    ['1,5'],
    ['1e'],
  ])('should refuse %j', (text) => {
    expect(Decimal.parse(text)).toBeUndefined();
  });

  it('should read the forms plans and platforms send', () => {
    expect(Decimal.of(' 19.90 ')?.toString()).toBe('19.9');
    expect(Decimal.of('.5')?.toString()).toBe('0.5');
    expect(Decimal.of('5.')?.toString()).toBe('5');
    expect(Decimal.of('+3')?.toString()).toBe('3');
    expect(Decimal.of(12345678901234567890n)?.toString()).toBe(
      '12345678901234567890',
    );
    expect(Decimal.of(Number.NaN)).toBeUndefined();
    expect(Decimal.of(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(Decimal.of(true)).toBeUndefined();
    expect(Decimal.of(null)).toBeUndefined();
    const same = d('1.5');
    expect(Decimal.of(same)).toBe(same);
  });

  it('should compare by value, not by written form', () => {
    expect(d('0.10').cmp(d('0.1'))).toBe(0);
    expect(d('-0').cmp(d('0'))).toBe(0);
    expect(d('1.0000000000000000000001').cmp(d('1'))).toBe(1);
    expect(d('-2').cmp(d('-1.99999999999999999999'))).toBe(-1);
  });

  it('should expose mantissa and scale of the normalised value', () => {
    expect(d('12.3400').mantissa).toBe(1234n);
    expect(d('12.3400').scale).toBe(2);
    expect(d('-0.001').mantissa).toBe(-1n);
    expect(d('1e3').scale).toBe(0);
    expect(d('1e3').mantissa).toBe(1000n);
  });
});
