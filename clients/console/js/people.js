// The workspace's people and queues by name (GET /v1/workers, GET /v1/task-queues), read once per page load:
// pickers offer them by name, and the list and the audit log show names where the API answers worker SIDs.

import { api } from "./api.js";

let workers = null;
let queues = null;

export function loadWorkers() {
  if (!workers) {
    workers = (async () => {
      const all = [];
      for (let page = 1; ; page += 1) {
        const answer = await api("GET", "/v1/workers", { query: { page, perPage: 1000 } });
        all.push(...answer.workers);
        if (all.length >= answer.meta.total || !answer.workers.length) break;
      }
      return all.sort((a, b) => a.friendlyName.localeCompare(b.friendlyName));
    })();
    workers.catch(() => { workers = null; });
  }
  return workers;
}

export function loadQueues() {
  if (!queues) {
    queues = api("GET", "/v1/task-queues").then((answer) =>
      answer.taskQueues.sort((a, b) => a.friendlyName.localeCompare(b.friendlyName)));
    queues.catch(() => { queues = null; });
  }
  return queues;
}

// A worker SID → its name, for the SIDs the API answers (a SID of no worker here stays a SID).
export function namesOf(list) {
  const names = new Map(list.map((w) => [w.workerSid, w.friendlyName]));
  return (sid) => (sid ? names.get(sid) || sid : null);
}

// Forget what was read (after signing in as someone else).
export function forgetPeople() {
  workers = null;
  queues = null;
}
