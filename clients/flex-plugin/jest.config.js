/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'jsdom',
  roots: ['<rootDir>/tests'],
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  // Flex itself is a global at run time; the unit tests hand the plugin a stand-in (tests/helpers.ts) instead.
  moduleNameMapper: { '^@twilio/flex-ui$': '<rootDir>/tests/flexModule.ts' },
};
