// Copy to public/appConfig.js for `twilio flex:plugins:start` (local Flex on http://localhost:3000).
// In a hosted Flex, custom_data comes from the Flex configuration's ui_attributes instead (see README,
// "Reference Flex plugin"): the plugin reads custom_data.callerIdBackendUrl from either.
var appConfig = {
  pluginService: {
    enabled: true,
    url: '/plugins',
  },
  ytica: false,
  logLevel: 'info',
  showSupervisorDesktopView: true,
  custom_data: {
    // The caller-ID backend: the API Gateway stage URL of `sam deploy`, or `PORT=8080 make dev`'s API (Flex's
    // local dev server takes :3000; start the API with ALLOWED_ORIGINS=http://localhost:3000).
    callerIdBackendUrl: 'http://127.0.0.1:8080',
  },
};
