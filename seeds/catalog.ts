/** Reference lists for the demo data: equipment by industry, places with their sales-tax rates. */

export interface Equipment {
  category: string;
  make: string;
  model: string;
  noun: string;
  /** Unit cost range in whole major units. */
  cost: [number, number];
  vehicle?: boolean;
  serialPrefix: string;
}

export const EQUIPMENT: Record<string, Equipment[]> = {
  construction: [
    {
      category: 'Excavator',
      make: 'Caterpillar',
      model: '336 Next Gen',
      noun: 'hydraulic excavator',
      cost: [380_000, 460_000],
      serialPrefix: 'CAT0336',
    },
    {
      category: 'Excavator',
      make: 'Komatsu',
      model: 'PC210LC-11',
      noun: 'hydraulic excavator',
      cost: [210_000, 260_000],
      serialPrefix: 'KMTPC210',
    },
    {
      category: 'Wheel loader',
      make: 'Volvo',
      model: 'L120H',
      noun: 'wheel loader',
      cost: [240_000, 300_000],
      serialPrefix: 'VCEL120H',
    },
    {
      category: 'Backhoe loader',
      make: 'John Deere',
      model: '310SL',
      noun: 'backhoe loader',
      cost: [120_000, 150_000],
      serialPrefix: '1T0310SL',
    },
    {
      category: 'Skid steer',
      make: 'Bobcat',
      model: 'S650',
      noun: 'skid-steer loader',
      cost: [55_000, 70_000],
      serialPrefix: 'B3NV',
    },
  ],
  transport: [
    {
      category: 'Tractor unit',
      make: 'Freightliner',
      model: 'Cascadia 126',
      noun: 'day-cab tractor',
      cost: [150_000, 185_000],
      vehicle: true,
      serialPrefix: 'FL126',
    },
    {
      category: 'Tractor unit',
      make: 'Kenworth',
      model: 'T680',
      noun: 'sleeper tractor',
      cost: [170_000, 210_000],
      vehicle: true,
      serialPrefix: 'KWT680',
    },
    {
      category: 'Box truck',
      make: 'Isuzu',
      model: 'NPR-HD',
      noun: '16 ft box truck',
      cost: [65_000, 80_000],
      vehicle: true,
      serialPrefix: 'ISZNPR',
    },
    {
      category: 'Pickup truck',
      make: 'Ford',
      model: 'F-550 Super Duty',
      noun: 'chassis cab',
      cost: [68_000, 85_000],
      vehicle: true,
      serialPrefix: 'FDF550',
    },
    {
      category: 'Cargo van',
      make: 'Ram',
      model: 'ProMaster 2500',
      noun: 'cargo van',
      cost: [48_000, 58_000],
      vehicle: true,
      serialPrefix: 'RAMPM25',
    },
  ],
  warehouse: [
    {
      category: 'Forklift',
      make: 'Toyota',
      model: '8FGCU25',
      noun: 'LP-gas forklift',
      cost: [32_000, 40_000],
      serialPrefix: '8FGCU25',
    },
    {
      category: 'Forklift',
      make: 'Hyster',
      model: 'H50FT',
      noun: 'pneumatic-tire forklift',
      cost: [38_000, 46_000],
      serialPrefix: 'HYSH50',
    },
    {
      category: 'Reach truck',
      make: 'Crown',
      model: 'RR 5700',
      noun: 'reach truck',
      cost: [45_000, 55_000],
      serialPrefix: 'CRRR57',
    },
  ],
  medical: [
    {
      category: 'MRI scanner',
      make: 'GE HealthCare',
      model: 'SIGNA Explorer 1.5T',
      noun: 'MRI scanner',
      cost: [1_100_000, 1_400_000],
      serialPrefix: 'GEMR15',
    },
    {
      category: 'CT scanner',
      make: 'Siemens Healthineers',
      model: 'SOMATOM go.Up',
      noun: 'CT scanner',
      cost: [420_000, 520_000],
      serialPrefix: 'SHCTGU',
    },
    {
      category: 'Ultrasound',
      make: 'Philips',
      model: 'EPIQ Elite',
      noun: 'ultrasound system',
      cost: [160_000, 200_000],
      serialPrefix: 'PHEPQ',
    },
  ],
  it: [
    {
      category: 'Server',
      make: 'Dell',
      model: 'PowerEdge R760',
      noun: 'rack server',
      cost: [18_000, 32_000],
      serialPrefix: 'DLR760',
    },
    {
      category: 'Network switch',
      make: 'Cisco',
      model: 'Catalyst 9300-48P',
      noun: 'network switch',
      cost: [9_000, 14_000],
      serialPrefix: 'FOC',
    },
    {
      category: 'Storage array',
      make: 'NetApp',
      model: 'AFF A250',
      noun: 'all-flash storage array',
      cost: [60_000, 90_000],
      serialPrefix: 'NTAPA250',
    },
  ],
  print: [
    {
      category: 'Production printer',
      make: 'Xerox',
      model: 'Versant 280',
      noun: 'production press',
      cost: [85_000, 110_000],
      serialPrefix: 'XRXV280',
    },
    {
      category: 'Digital press',
      make: 'HP',
      model: 'Indigo 7K',
      noun: 'digital press',
      cost: [420_000, 520_000],
      serialPrefix: 'HPI7K',
    },
    {
      category: 'Production printer',
      make: 'Konica Minolta',
      model: 'AccurioPress C4080',
      noun: 'production press',
      cost: [120_000, 150_000],
      serialPrefix: 'KMC4080',
    },
  ],
  agriculture: [
    {
      category: 'Tractor',
      make: 'John Deere',
      model: '8R 370',
      noun: 'row-crop tractor',
      cost: [480_000, 560_000],
      serialPrefix: '1RW8370',
    },
    {
      category: 'Combine',
      make: 'Case IH',
      model: 'Axial-Flow 8250',
      noun: 'combine harvester',
      cost: [650_000, 780_000],
      serialPrefix: 'YHN8250',
    },
    {
      category: 'Sprayer',
      make: 'New Holland',
      model: 'Guardian SP310F',
      noun: 'self-propelled sprayer',
      cost: [390_000, 450_000],
      serialPrefix: 'NHSP310',
    },
  ],
  access: [
    {
      category: 'Boom lift',
      make: 'Genie',
      model: 'S-65 XC',
      noun: 'telescopic boom lift',
      cost: [120_000, 145_000],
      serialPrefix: 'S65XC',
    },
    {
      category: 'Scissor lift',
      make: 'JLG',
      model: '4045R',
      noun: 'rough-terrain scissor lift',
      cost: [48_000, 60_000],
      serialPrefix: 'JLG4045',
    },
  ],
};

export const INDUSTRIES = Object.keys(EQUIPMENT);

export interface Place {
  city: string;
  region: string;
  postal: string;
  country: 'US' | 'CA';
  taxRate: string;
}

export const US_PLACES: Place[] = [
  { city: 'Houston', region: 'TX', postal: '77002', country: 'US', taxRate: '0.06250' },
  { city: 'Dallas', region: 'TX', postal: '75201', country: 'US', taxRate: '0.06250' },
  { city: 'Phoenix', region: 'AZ', postal: '85004', country: 'US', taxRate: '0.05600' },
  { city: 'Denver', region: 'CO', postal: '80202', country: 'US', taxRate: '0.02900' },
  { city: 'Atlanta', region: 'GA', postal: '30303', country: 'US', taxRate: '0.04000' },
  { city: 'Charlotte', region: 'NC', postal: '28202', country: 'US', taxRate: '0.04750' },
  { city: 'Columbus', region: 'OH', postal: '43215', country: 'US', taxRate: '0.05750' },
  { city: 'Chicago', region: 'IL', postal: '60601', country: 'US', taxRate: '0.06250' },
  { city: 'Nashville', region: 'TN', postal: '37203', country: 'US', taxRate: '0.07000' },
  { city: 'Newark', region: 'NJ', postal: '07102', country: 'US', taxRate: '0.06625' },
  { city: 'Pittsburgh', region: 'PA', postal: '15222', country: 'US', taxRate: '0.06000' },
  { city: 'Tampa', region: 'FL', postal: '33602', country: 'US', taxRate: '0.06000' },
  { city: 'Sacramento', region: 'CA', postal: '95814', country: 'US', taxRate: '0.07250' },
  { city: 'Seattle', region: 'WA', postal: '98104', country: 'US', taxRate: '0.06500' },
  { city: 'Boston', region: 'MA', postal: '02110', country: 'US', taxRate: '0.06250' },
];

export const CA_PLACES: Place[] = [
  { city: 'Toronto', region: 'ON', postal: 'M5H 2N2', country: 'CA', taxRate: '0.13000' },
  { city: 'Mississauga', region: 'ON', postal: 'L5B 3C2', country: 'CA', taxRate: '0.13000' },
  { city: 'London', region: 'ON', postal: 'N6A 1H3', country: 'CA', taxRate: '0.13000' },
  { city: 'Calgary', region: 'AB', postal: 'T2P 1J9', country: 'CA', taxRate: '0.05000' },
  { city: 'Edmonton', region: 'AB', postal: 'T5J 0N3', country: 'CA', taxRate: '0.05000' },
  { city: 'Vancouver', region: 'BC', postal: 'V6B 1A1', country: 'CA', taxRate: '0.12000' },
  { city: 'Winnipeg', region: 'MB', postal: 'R3C 0V8', country: 'CA', taxRate: '0.12000' },
  { city: 'Saskatoon', region: 'SK', postal: 'S7K 0J5', country: 'CA', taxRate: '0.11000' },
  { city: 'Halifax', region: 'NS', postal: 'B3J 1S9', country: 'CA', taxRate: '0.14000' },
];

export const US_BANKS = [
  'First National Bank',
  'Chase',
  'Wells Fargo',
  'PNC Bank',
  'Truist',
  'U.S. Bank',
  'Regions Bank',
];
export const CA_BANKS = [
  'Royal Bank of Canada',
  'TD Canada Trust',
  'Scotiabank',
  'BMO Bank of Montreal',
  'CIBC',
];

/** Characters a VIN may hold (no I, O, Q). */
export const VIN_CHARS = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';
