/** Set to 1 to skip every test-plane suite, and their build (never silently). */
export const SKIP_ENV = 'SKIP_TESTPLANE';
