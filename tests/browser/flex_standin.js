// A minimal stand-in of what Flex UI 2.x gives a plugin: the globals the Flex plugin builder's webpack config leaves
// to Flex (React and ReactDOM as externals, Redux and ReactRedux too though this plugin imports neither, and
// Twilio.Flex, which its shim hands to `import ... from '@twilio/flex-ui'`, or Twilio.FlexProxy[<plugin name>] when
// Flex sets one), Twilio.Flex.Plugins.init (what @twilio/flex-plugin's loadPlugin calls), Actions with before/after
// listeners and abort, Notifications with {{templates}}, the OutboundDialerPanel and SideNav content fragments,
// SideLink, and Manager.getInstance(). The test sets window.FLEX_STANDIN (token, accountSid, roles, backendUrl)
// before the page loads. Calls, tasks and notifications are kept on window.standin for the test to read.
(function () {
  'use strict';
  var config = window.FLEX_STANDIN || {};
  var h = React.createElement;
  var listeners = {};
  var notifications = {};
  var dialer = [];
  var sideNav = [];
  var standin = (window.standin = {
    calls: [],
    shown: [],
    plugins: [],
    actions: [],
    settled: function (name) {
      var matching = standin.actions.filter(function (a) { return a.name === name; });
      return matching.length > 0 && matching.every(function (a) { return a.done; });
    },
  });

  var manager = {
    store: { getState: function () { return { flex: { session: { ssoTokenPayload: { token: config.token } } } }; } },
    user: { token: config.token, roles: config.roles || ['agent'], identity: config.identity },
    configuration: { custom_data: { callerIdBackendUrl: config.backendUrl } },
    serviceConfiguration: { account_sid: config.accountSid, outbound_call_flows: { default: {} } },
    workerClient: { accountSid: config.accountSid, sid: config.workerSid, attributes: {} },
  };

  function hex(n) {
    var out = '';
    for (var i = 0; i < n; i += 1) out += Math.floor(Math.random() * 16).toString(16);
    return out;
  }

  // What Flex itself does for the actions the plugin listens to.
  var perform = {
    StartOutboundCall: function (payload) {
      var task = {
        sid: 'WT' + hex(32),
        status: 'accepted',
        attributes: { direction: 'outbound', from: payload.callerId, to: payload.destination },
      };
      task.taskSid = task.sid;
      standin.calls.push({ payload: JSON.parse(JSON.stringify(payload)), task: task });
    },
    HangupCall: function (payload) { payload.task.status = 'wrapping'; },
    WrapupTask: function (payload) { payload.task.status = 'wrapping'; },
    CompleteTask: function (payload) { payload.task.status = 'completed'; },
  };

  var Actions = {
    addListener: function (event, listener) {
      (listeners[event] = listeners[event] || []).push(listener);
    },
    invokeAction: async function (name, payload) {
      payload = payload || {};
      var aborted = false;
      var before = listeners['before' + name] || [];
      for (var i = 0; i < before.length; i += 1) {
        await before[i](payload, function () { aborted = true; });
      }
      var record = { name: name, aborted: aborted, done: false };
      standin.actions.push(record);
      if (!aborted) {
        if (perform[name]) perform[name](payload);
        var after = listeners['after' + name] || [];
        for (var j = 0; j < after.length; j += 1) await after[j](payload, function () {});
      }
      record.done = true; // after every listener, so a test waiting for it sees their effects
      render();
      return !aborted;
    },
  };

  var Notifications = {
    registerNotification: function (notification) { notifications[notification.id] = notification; },
    showNotification: function (id, context) {
      var notification = notifications[id];
      if (!notification) throw new Error('notification ' + id + ' is not registered');
      var text = String(notification.content).replace(/{{(\w+)}}/g, function (_, key) {
        return context && context[key] !== undefined ? String(context[key]) : '';
      });
      standin.shown.push({ id: id, type: notification.type, text: text });
      render();
    },
  };

  function SideLink(props) {
    return h('button', { type: 'button', className: 'side-link', onClick: props.onClick }, props.children);
  }

  function fragment(list) {
    return {
      add: function (element, options) {
        list.push({ element: element, sortOrder: (options && options.sortOrder) || 0 });
        list.sort(function (a, b) { return a.sortOrder - b.sortOrder; });
        render();
      },
    };
  }

  function render() {
    ReactDOM.render(h(React.Fragment, null, dialer.map(function (e) { return e.element; })),
      document.getElementById('dialer-content'));
    ReactDOM.render(h(React.Fragment, null, sideNav.map(function (e) { return e.element; })),
      document.getElementById('side-nav'));
    document.getElementById('notifications').replaceChildren.apply(
      document.getElementById('notifications'),
      standin.shown.map(function (n) {
        var li = document.createElement('li');
        li.className = 'notification notification-' + n.type;
        li.textContent = n.text;
        return li;
      }),
    );
    document.getElementById('calls').replaceChildren.apply(
      document.getElementById('calls'),
      standin.calls.map(function (c) {
        var li = document.createElement('li');
        li.textContent = c.payload.destination + ' from ' + c.payload.callerId + ' (' + c.task.status + ')';
        return li;
      }),
    );
  }

  var Flex = {
    Actions: Actions,
    Notifications: Notifications,
    NotificationType: { error: 'error', warning: 'warning', info: 'info', success: 'success' },
    OutboundDialerPanel: { Content: fragment(dialer) },
    SideNav: { Content: fragment(sideNav) },
    SideLink: SideLink,
    Manager: { getInstance: function () { return manager; } },
    Plugins: {
      init: function (PluginClass) {
        var plugin = new PluginClass();
        plugin.init(Flex, manager);
        standin.plugins.push(plugin.name);
        render();
      },
    },
  };
  window.Twilio = { Flex: Flex };

  document.addEventListener('DOMContentLoaded', function () {
    document.getElementById('who').textContent = (config.identity || '') + ' · ' + (manager.user.roles || []).join(', ');
    function current() {
      var open = standin.calls.filter(function (c) { return c.task.status !== 'completed'; });
      return open[open.length - 1];
    }
    document.getElementById('call').addEventListener('click', function () {
      var payload = { destination: document.getElementById('destination').value };
      if (config.queueSid) payload.queueSid = config.queueSid;
      Actions.invokeAction('StartOutboundCall', payload);
    });
    document.getElementById('hangup').addEventListener('click', function () {
      var call = current();
      if (call) Actions.invokeAction('HangupCall', { task: call.task, sid: call.task.sid });
    });
    document.getElementById('complete').addEventListener('click', function () {
      var call = current();
      if (call) Actions.invokeAction('CompleteTask', { task: call.task, sid: call.task.sid });
    });
  });
})();
