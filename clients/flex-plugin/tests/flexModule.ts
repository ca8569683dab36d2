// What `import ... from '@twilio/flex-ui'` resolves to under jest: the plugin imports only types from it at module
// level, so an empty module is all that is needed; behaviour comes from the stand-in in helpers.ts.
export const NotificationType = { error: 'error', warning: 'warning', info: 'info', success: 'success' };
