import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { outboundDocumentSchema } from '@kingbridge/contracts';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR, runFixture, type FixtureResult } from './fixture-runner';

const FLOWS = [
  'jackyun-retail-orders-to-k3cloud-outstock',
  'wdt-stockout-to-k3cloud-outstock',
  'jackyun-shops-to-k3cloud-customer',
  'jushuitan-count-loss-to-jdy',
  'xiaoman-orders-to-k3wise-so',
] as const;

describe('seed flow golden files', () => {
  it.each(FLOWS)(
    'should turn the sample records of %s into exactly the expected documents',
    async (flow) => {
      // Arrange
      const expectedFile = join(FIXTURES_DIR, flow, 'expected.json');

      // Act
      const actual = await runFixture(flow);
      if (process.env.UPDATE_GOLDEN === '1')
        writeFileSync(expectedFile, `${JSON.stringify(actual, null, 2)}\n`);
      const expected = JSON.parse(
        readFileSync(expectedFile, 'utf8'),
      ) as FixtureResult;

      // Assert
      expect(JSON.parse(JSON.stringify(actual))).toEqual(expected);
      for (const document of actual.documents)
        expect(outboundDocumentSchema.safeParse(document).success).toBe(true);
    },
  );
});
