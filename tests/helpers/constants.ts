/** The business date every test runs on; the demo data is generated for it. */
export const TEST_SYSTEM_DATE = '2026-11-16';
