import { describe, expect, it } from 'vitest';
import { K3WISE_DEFAULT_MASTER_DATA } from '../k3wise/k3wise-master-data';
import { CATALOG_CRM_CURRENCIES } from '../shared/source-catalog.master';
import { XIAOMAN_EXCHANGE_RATES } from '../../sources/xiaoman/xiaoman.model';

describe('catalog master data', () => {
  it('should seed K/3 WISE with RMB and every Xiaoman order currency by its code', () => {
    expect(K3WISE_DEFAULT_MASTER_DATA.currencies).toEqual([
      { number: 'RMB', name: '人民币' },
      { number: 'USD', name: '美元' },
      { number: 'EUR', name: '欧元' },
      { number: 'GBP', name: '英镑' },
      { number: 'CNY', name: '人民币(CNY)' },
    ]);
    expect(CATALOG_CRM_CURRENCIES.map((c) => c.number)).toEqual(
      Object.keys(XIAOMAN_EXCHANGE_RATES),
    );
  });
});
