/** Static master data shared by the source simulators' generators (realistic Chinese retail data). */

export interface CatalogGoods {
  goodsNo: string;
  goodsName: string;
  specName: string;
  barcode: string;
  /** Unit price in cents. */
  priceCents: number;
  unit: string;
  brandName: string;
  cateName: string;
}

export const GOODS: readonly CatalogGoods[] = [
  {
    goodsNo: 'SP1001',
    goodsName: '有机绿茶礼盒',
    specName: '250g*2罐',
    barcode: '6901234567001',
    priceCents: 19800,
    unit: '盒',
    brandName: '山水茗',
    cateName: '茶叶',
  },
  {
    goodsNo: 'SP1002',
    goodsName: '铁观音浓香型',
    specName: '500g',
    barcode: '6901234567002',
    priceCents: 12850,
    unit: '袋',
    brandName: '山水茗',
    cateName: '茶叶',
  },
  {
    goodsNo: 'SP1003',
    goodsName: '云南普洱熟茶饼',
    specName: '357g',
    barcode: '6901234567003',
    priceCents: 26900,
    unit: '饼',
    brandName: '古树源',
    cateName: '茶叶',
  },
  {
    goodsNo: 'SP2001',
    goodsName: '保温杯不锈钢',
    specName: '500ml 黑色',
    barcode: '6901234567101',
    priceCents: 8990,
    unit: '个',
    brandName: '暖途',
    cateName: '家居',
  },
  {
    goodsNo: 'SP2002',
    goodsName: '保温杯不锈钢',
    specName: '500ml 白色',
    barcode: '6901234567102',
    priceCents: 8990,
    unit: '个',
    brandName: '暖途',
    cateName: '家居',
  },
  {
    goodsNo: 'SP2003',
    goodsName: '陶瓷马克杯',
    specName: '350ml',
    barcode: '6901234567103',
    priceCents: 3500,
    unit: '个',
    brandName: '暖途',
    cateName: '家居',
  },
  {
    goodsNo: 'SP3001',
    goodsName: '纯棉毛巾三条装',
    specName: '34*76cm',
    barcode: '6901234567201',
    priceCents: 4590,
    unit: '套',
    brandName: '洁柔家',
    cateName: '家纺',
  },
  {
    goodsNo: 'SP3002',
    goodsName: '乳胶枕头',
    specName: '60*40cm',
    barcode: '6901234567202',
    priceCents: 15900,
    unit: '个',
    brandName: '眠之源',
    cateName: '家纺',
  },
  {
    goodsNo: 'SP4001',
    goodsName: '坚果大礼包',
    specName: '1.5kg',
    barcode: '6901234567301',
    priceCents: 13800,
    unit: '箱',
    brandName: '果仁坊',
    cateName: '食品',
  },
  {
    goodsNo: 'SP4002',
    goodsName: '每日坚果',
    specName: '25g*30包',
    barcode: '6901234567302',
    priceCents: 9900,
    unit: '盒',
    brandName: '果仁坊',
    cateName: '食品',
  },
  {
    goodsNo: 'SP4003',
    goodsName: '手工红糖',
    specName: '400g',
    barcode: '6901234567303',
    priceCents: 2580,
    unit: '袋',
    brandName: '甜源',
    cateName: '食品',
  },
  {
    goodsNo: 'SP5001',
    goodsName: '蓝牙耳机',
    specName: '白色 标准版',
    barcode: '6901234567401',
    priceCents: 29900,
    unit: '副',
    brandName: '声悦',
    cateName: '数码',
  },
  {
    goodsNo: 'SP5002',
    goodsName: '快充数据线',
    specName: 'Type-C 1m',
    barcode: '6901234567402',
    priceCents: 2990,
    unit: '根',
    brandName: '声悦',
    cateName: '数码',
  },
  {
    goodsNo: 'SP6001',
    goodsName: '洗衣凝珠',
    specName: '52颗',
    barcode: '6901234567501',
    priceCents: 5990,
    unit: '盒',
    brandName: '净立方',
    cateName: '日化',
  },
  {
    goodsNo: 'SP6002',
    goodsName: '氨基酸洗面奶',
    specName: '120g',
    barcode: '6901234567502',
    priceCents: 6900,
    unit: '支',
    brandName: '柔肌',
    cateName: '日化',
  },
];

/** Items only ever sent as gifts (price 0). */
export const GIFTS: readonly CatalogGoods[] = [
  {
    goodsNo: 'ZP9001',
    goodsName: '品牌定制帆布袋',
    specName: '米白',
    barcode: '6901234567901',
    priceCents: 0,
    unit: '个',
    brandName: '赠品',
    cateName: '赠品',
  },
  {
    goodsNo: 'ZP9002',
    goodsName: '试用装小样',
    specName: '10ml',
    barcode: '6901234567902',
    priceCents: 0,
    unit: '支',
    brandName: '赠品',
    cateName: '赠品',
  },
  {
    goodsNo: 'ZP9003',
    goodsName: '茶具清洁刷',
    specName: '通用',
    barcode: '6901234567903',
    priceCents: 0,
    unit: '把',
    brandName: '赠品',
    cateName: '赠品',
  },
];

export interface CatalogShop {
  id: number;
  code: string;
  name: string;
  platform: string;
}

export const SHOPS: readonly CatalogShop[] = [
  { id: 101, code: 'TM001', name: '山水茗天猫旗舰店', platform: '天猫' },
  { id: 102, code: 'JD001', name: '山水茗京东自营店', platform: '京东' },
  { id: 103, code: 'DY001', name: '暖途抖音小店', platform: '抖音' },
  { id: 104, code: 'PDD001', name: '果仁坊拼多多店', platform: '拼多多' },
  { id: 105, code: 'XHS001', name: '柔肌小红书店', platform: '小红书' },
  { id: 106, code: 'KS001', name: '声悦快手小店', platform: '快手' },
];

export interface CatalogWarehouse {
  id: number;
  code: string;
  name: string;
}

export const WAREHOUSES: readonly CatalogWarehouse[] = [
  { id: 11, code: 'CK001', name: '杭州主仓' },
  { id: 12, code: 'CK002', name: '广州分仓' },
  { id: 13, code: 'CK003', name: '成都分仓' },
  { id: 14, code: 'CK004', name: '天津保税仓' },
];

export const LOGISTICS: readonly {
  code: string;
  name: string;
  prefix: string;
}[] = [
  { code: 'SF', name: '顺丰速运', prefix: 'SF' },
  { code: 'ZTO', name: '中通快递', prefix: '7' },
  { code: 'YTO', name: '圆通速递', prefix: 'YT' },
  { code: 'YD', name: '韵达快递', prefix: '4' },
  { code: 'JD', name: '京东物流', prefix: 'JDV' },
];

export const SURNAMES = [
  '王',
  '李',
  '张',
  '刘',
  '陈',
  '杨',
  '赵',
  '黄',
  '周',
  '吴',
  '徐',
  '孙',
  '马',
  '朱',
  '胡',
  '郭',
];
export const GIVEN_NAMES = [
  '伟',
  '芳',
  '娜',
  '秀英',
  '敏',
  '静',
  '丽',
  '强',
  '磊',
  '军',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '明',
  '超',
  '秀兰',
  '霞',
];
export const NICKS = [
  '小鱼儿',
  '快乐的猫',
  'tb_8823',
  '追风少年',
  '晴天娃娃',
  '柠檬不酸',
  'jd_77a1',
  '阿狸',
  '大白兔',
  '星星点灯',
  '木子李',
  '橙子味',
];
export const DISTRIBUTORS = [
  '华东分销商',
  '华南一级代理',
  '西南经销商',
  '北方渠道商',
];
export const MEMOS = [
  '',
  '',
  '',
  '请尽快发货',
  '送礼用，不要放发票',
  '加急',
  '周末不收货',
  '包装仔细一点',
];
export const DEPARTMENTS = ['电商一部', '电商二部', '新零售部'];

export function personName(pick: <T>(items: readonly T[]) => T): string {
  return pick(SURNAMES) + pick(GIVEN_NAMES);
}

/** Cents -> number with two decimals (e.g. 12345 -> 123.45). */
export function centsToNumber(cents: number): number {
  return Math.round(cents) / 100;
}

/** Cents -> decimal string with `digits` decimals (e.g. 12345, 4 -> "123.4500"). */
export function centsToString(cents: number, digits = 2): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.round(cents));
  const base = `${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
  return sign + base + '0'.repeat(Math.max(0, digits - 2));
}
