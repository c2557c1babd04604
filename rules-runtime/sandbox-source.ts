import { SANDBOX_MODULES } from "./modules.generated.ts";

/**
 * JavaScript that runs inside the isolate, in a fresh context per login. It is plain ES2020 in a string because it
 * never runs in the host. The host sets four globals before running it: `__pc_in` (the run input as JSON) and three
 * capability functions (`__pc_enter`, `__pc_sleep`, `__pc_fetch`) that take and return strings only. The bootstrap
 * captures and deletes them before any rule code is evaluated, installs the Auth0 rule globals, runs the rules and
 * resolves with the result as one JSON string.
 */
const BOOTSTRAP = String.raw`(function () {
  "use strict";
  var G = globalThis;
  var input = JSON.parse(G.__pc_in);
  var hostEnter = G.__pc_enter, hostSleep = G.__pc_sleep, hostFetch = G.__pc_fetch, hostDone = G.__pc_done;
  delete G.__pc_in; delete G.__pc_enter; delete G.__pc_sleep; delete G.__pc_fetch; delete G.__pc_done;
  // Blocking or unmetered primitives a rule never needs: Atomics.wait could park the isolate thread beyond reach
  // of the time limit, and large wasm memories are not counted the way heap objects are.
  delete G.Atomics; delete G.SharedArrayBuffer; delete G.WebAssembly;

  var stringify = JSON.stringify, parse = JSON.parse, hasOwn = Object.prototype.hasOwnProperty;
  var RealDate = Date, realNow = Date.now, keys = Object.keys, freeze = Object.freeze;
  var limits = input.limits;
  var names = input.names;
  var trace = [], warnings = [], lines = [], consoleBytes = 0, consoleTruncated = false;
  var metadata = { app: null, user: null };
  var setBy = {};
  var current = -1, lastRule = null;
  var failCurrent = null;

  // Asynchronous capabilities: the sandbox asks with an id (fire and forget), the host answers later by calling
  // __pc_settle(id, text). Only strings travel either way.
  var pending = {}, callSeq = 0;
  function hostCall(fn, args) {
    return new Promise(function (resolve) {
      var id = ++callSeq;
      pending[id] = resolve;
      fn.apply(undefined, [id].concat(args));
    });
  }
  Object.defineProperty(G, "__pc_settle", {
    value: function (id, text) { var r = pending[id]; if (r) { delete pending[id]; r(text); } },
    enumerable: false, writable: false, configurable: false,
  });

  function clone(v) { return v === undefined ? undefined : parse(stringify(v)); }
  function warn(text) { if (warnings.length < 50) warnings.push(text); }
  function ruleName() { return current >= 0 ? names[current] : lastRule; }

  // Time follows the server's clock (tests move it); only differs from the real clock when an offset is given.
  if (input.clockOffsetMs) {
    var offset = input.clockOffsetMs;
    var ShiftedDate = function Date() {
      if (!new.target) return new RealDate(realNow() + offset).toString();
      if (arguments.length === 0) return new RealDate(realNow() + offset);
      return Reflect.construct(RealDate, arguments);
    };
    ShiftedDate.prototype = RealDate.prototype;
    ShiftedDate.now = function now() { return realNow() + offset; };
    ShiftedDate.parse = RealDate.parse;
    ShiftedDate.UTC = RealDate.UTC;
    RealDate.prototype.constructor = ShiftedDate;
    G.Date = ShiftedDate;
  }

  // console: bounded capture; past the byte cap lines are dropped and the result says so.
  function format(v) {
    if (typeof v === "string") return v;
    try { var s = stringify(v); return s === undefined ? String(v) : s; } catch (e) {
      try { return String(v); } catch (e2) { return "[unprintable]"; }
    }
  }
  function logger(level) {
    return function () {
      if (consoleTruncated) return;
      var parts = [];
      for (var i = 0; i < arguments.length; i++) parts.push(format(arguments[i]));
      var line = (level ? "[" + level + "] " : "") + parts.join(" ");
      if (consoleBytes + line.length > limits.consoleBytes || lines.length >= limits.consoleLines) {
        consoleTruncated = true;
        return;
      }
      consoleBytes += line.length;
      lines.push(line);
    };
  }
  G.console = { log: logger(""), info: logger("info"), warn: logger("warn"), error: logger("error"), debug: logger("debug") };

  class UnauthorizedError extends Error {
    constructor(message) {
      super(message);
      this.name = "UnauthorizedError";
      this.statusCode = 401;
    }
  }
  G.UnauthorizedError = UnauthorizedError;

  function describe(err) {
    var kind = "denied", message;
    try {
      if (err instanceof UnauthorizedError || (err && err.name === "UnauthorizedError")) kind = "unauthorized";
      if (typeof err === "string") message = err;
      else if (err && typeof err.message === "string") message = err.message;
      else message = String(err);
    } catch (e) {
      message = "Unknown error";
    }
    if (typeof message !== "string") message = "Unknown error";
    if (message.length > 1000) message = message.slice(0, 1000);
    return { kind: kind, message: message };
  }

  // Timers: each one is a host sleep; counts are capped so a flood fails the rule instead of the server.
  var timerSeq = 0, timersActive = 0, timersTotal = 0, cleared = {};
  function schedule(fn, ms, args, repeat) {
    if (typeof fn !== "function") throw new TypeError("The callback argument must be a function");
    if (timersActive >= limits.maxActiveTimers || timersTotal >= limits.maxTimers)
      throw new RangeError("Too many timers in one rules run");
    var id = ++timerSeq;
    var delay = Math.max(0, Math.min(Number(ms) || 0, 2147483647));
    timersActive++;
    timersTotal++;
    var tick = function () {
      hostCall(hostSleep, [delay]).then(function () {
        if (cleared[id]) { timersActive--; return; }
        try { fn.apply(undefined, args); } catch (e) { uncaught(e); }
        if (repeat && !cleared[id]) {
          if (timersTotal >= limits.maxTimers) { timersActive--; uncaught(new RangeError("Too many timers in one rules run")); return; }
          timersTotal++;
          tick();
        } else timersActive--;
      }, function () { timersActive--; });
    };
    tick();
    return id;
  }
  function uncaught(e) { if (failCurrent) failCurrent(e); else warn("uncaught exception after the rules finished: " + describe(e).message); }
  G.setTimeout = function setTimeout(fn, ms) { return schedule(fn, ms, Array.prototype.slice.call(arguments, 2), false); };
  G.setInterval = function setInterval(fn, ms) { return schedule(fn, ms, Array.prototype.slice.call(arguments, 2), true); };
  G.setImmediate = function setImmediate(fn) { return schedule(fn, 0, Array.prototype.slice.call(arguments, 1), false); };
  G.clearTimeout = G.clearInterval = G.clearImmediate = function clearTimer(id) { if (typeof id === "number") cleared[id] = true; };

  // auth0.users.*: validated here, recorded as patches the server applies; the promise resolves with the user
  // as it will be stored.
  var userId = input.user && input.user.user_id;
  var stored = { app: clone((input.user && input.user.app_metadata) || {}), user: clone((input.user && input.user.user_metadata) || {}) };
  function updater(kind) {
    return function (id, obj, cb) {
      var p = new Promise(function (resolve) {
        if (typeof id !== "string") throw new TypeError("The user id must be a string");
        if (id !== userId) throw new Error("Rules may update only the metadata of the user who is logging in");
        if (obj === null || typeof obj !== "object" || Array.isArray(obj)) throw new TypeError("Metadata must be an object");
        var text;
        try { text = stringify(obj); } catch (e) { throw new TypeError("Metadata must be JSON-serializable"); }
        if (text.length > limits.maxMetadataBytes) throw new RangeError("Metadata larger than " + limits.maxMetadataBytes + " bytes");
        var copy = parse(text);
        metadata[kind] = Object.assign(metadata[kind] || {}, copy);
        keys(copy).forEach(function (k) { if (copy[k] === null) delete stored[kind][k]; else stored[kind][k] = copy[k]; });
        var user = clone(input.user) || {};
        user.app_metadata = clone(stored.app);
        user.user_metadata = clone(stored.user);
        resolve(user);
      });
      if (typeof cb === "function") { p.then(function (u) { cb(null, u); }, function (e) { cb(e); }); return undefined; }
      return p;
    };
  }
  G.auth0 = { domain: input.auth0Domain, users: { updateAppMetadata: updater("app"), updateUserMetadata: updater("user") } };
  G.configuration = input.configuration;

  // fetch: a host capability, off unless the administrator allowlisted hosts.
  function makeResponse(r) {
    var headers = r.headers;
    return {
      ok: r.status >= 200 && r.status < 300, status: r.status, statusText: r.statusText, url: r.url, redirected: false,
      headers: {
        get: function (n) { var v = headers[String(n).toLowerCase()]; return v === undefined ? null : v; },
        has: function (n) { return hasOwn.call(headers, String(n).toLowerCase()); },
        forEach: function (f) { keys(headers).forEach(function (k) { f(headers[k], k); }); },
      },
      text: function () { return Promise.resolve(r.body); },
      json: function () { return new Promise(function (resolve) { resolve(parse(r.body)); }); },
    };
  }
  G.fetch = function fetch(resource, init) {
    return new Promise(function (resolve, reject) {
      if (!input.fetchEnabled) throw new Error("fetch is disabled: an administrator must allow the host first");
      var url = typeof resource === "string" ? resource : resource && typeof resource.href === "string" ? resource.href : resource && typeof resource.url === "string" ? resource.url : null;
      if (url === null) throw new TypeError("fetch: the first argument must be a URL string");
      var o = init === undefined || init === null ? {} : init;
      if (typeof o !== "object") throw new TypeError("fetch: options must be an object");
      var headers = {};
      if (o.headers !== undefined && o.headers !== null) {
        if (typeof o.headers !== "object") throw new TypeError("fetch: headers must be an object");
        keys(o.headers).forEach(function (k) { headers[String(k)] = String(o.headers[k]); });
      }
      if (o.body !== undefined && o.body !== null && typeof o.body !== "string") throw new TypeError("fetch: body must be a string");
      var req = stringify({ url: url, method: o.method === undefined ? "GET" : String(o.method).toUpperCase(), headers: headers, body: o.body === undefined || o.body === null ? null : o.body });
      hostCall(hostFetch, [req]).then(function (text) {
        var r = parse(text);
        if (r.ok) resolve(makeResponse(r)); else reject(new Error(r.error));
      }, function () { reject(new Error("fetch failed")); });
    });
  };

  G.global = G;

  return function start(factories, rules) {
    var moduleCache = {};
    G.require = function require(name) {
      if (typeof name !== "string") throw new TypeError("The module name must be a string");
      var at = name.lastIndexOf("@");
      var base = at > 0 ? name.slice(0, at) : name;
      if (!hasOwn.call(factories, base)) {
        var e = new Error("Cannot find module '" + name + "': rules may require only " + keys(factories).join(", "));
        e.code = "MODULE_NOT_FOUND";
        throw e;
      }
      if (!hasOwn.call(moduleCache, base)) {
        var module = { exports: {} };
        factories[base].call(module.exports, module, module.exports);
        moduleCache[base] = module.exports;
      }
      return moduleCache[base];
    };

    // The per-isolate "global" cache: keys rules added in earlier runs come back as JSON copies.
    var baseline = {};
    Object.getOwnPropertyNames(G).forEach(function (k) { baseline[k] = true; });
    try {
      var cached = parse(input.globalCache || "{}");
      keys(cached).forEach(function (k) { if (!hasOwn.call(G, k)) G[k] = cached[k]; });
    } catch (e) { /* an unreadable cache is an empty cache */ }
    function saveGlobals() {
      var out = {}, size = 2;
      keys(G).forEach(function (k) {
        if (baseline[k]) return;
        try {
          var v = G[k];
          if (typeof v === "function" || v === undefined) return;
          var s = stringify(v);
          if (s === undefined || size + k.length + s.length + 4 > limits.maxGlobalCacheBytes) return;
          size += k.length + s.length + 4;
          out[k] = parse(s);
        } catch (e) { /* not JSON: lives only for this login */ }
      });
      try { return stringify(out); } catch (e) { return "{}"; }
    }

    function snapshot(context, key) { try { return context ? context[key] : undefined; } catch (e) { return undefined; } }

    function runRule(i, user, context) {
      return new Promise(function (resolve) {
        var called = false;
        var settle = function (r) { if (!called) { called = true; failCurrent = null; resolve(r); } };
        failCurrent = function (e) { settle({ err: e === undefined || e === null ? new Error("Uncaught exception") : e }); };
        var cb = function (err, u, c) {
          if (called) { warn("rule \"" + names[i] + "\" called its callback more than once; later calls were ignored"); return; }
          if (err) settle({ err: err });
          else settle({ user: u === undefined ? user : u, context: c === undefined ? context : c });
        };
        var fn = rules[i];
        if (typeof fn !== "function") { settle({ syntax: "the script does not evaluate to a function" }); return; }
        var ret;
        try { ret = fn.call(undefined, user, context, cb); } catch (e) {
          if (called) warn("rule \"" + names[i] + "\" threw after calling its callback: " + describe(e).message);
          settle({ err: e });
          return;
        }
        try {
          if (ret && typeof ret.then === "function") ret.then(undefined, function (e) { settle({ err: e }); });
        } catch (e) { /* a hostile thenable: ignore its promise, the callback still decides */ }
      });
    }

    function finish(result, user, context) {
      result.trace = trace; result.console = lines; result.consoleTruncated = consoleTruncated;
      result.warnings = warnings; result.metadata = metadata; result.setBy = setBy;
      result.globalCache = saveGlobals();
      result.user = user; result.context = context;
      try { return stringify(result); } catch (e) {
        result.user = null; result.context = null;
        result.status = "error";
        result.error = { kind: "invalid_output", message: "user or context cannot be serialized: " + describe(e).message, rule: ruleName() };
        try { return stringify(result); } catch (e2) {
          return stringify({ status: "error", error: result.error, trace: [], console: [], warnings: [], metadata: { app: null, user: null }, setBy: {}, globalCache: "{}" });
        }
      }
    }

    async function pipeline() {
      var user = input.user, context = input.context;
      for (var i = 0; i < rules.length; i++) {
        current = i;
        hostEnter(i);
        var before = { redirect: snapshot(context, "redirect"), multifactor: snapshot(context, "multifactor") };
        var t0 = realNow();
        var r = await runRule(i, user, context);
        var ms = realNow() - t0;
        if (r.syntax) {
          trace.push({ name: names[i], durationMs: ms, outcome: "syntax" });
          return finish({ status: "error", error: { kind: "syntax", message: r.syntax, rule: names[i] } }, user, context);
        }
        if (r.err !== undefined) {
          trace.push({ name: names[i], durationMs: ms, outcome: "error" });
          var d = describe(r.err);
          return finish({ status: "error", error: { kind: d.kind, message: d.message, rule: names[i] } }, user, context);
        }
        trace.push({ name: names[i], durationMs: ms, outcome: "ok" });
        // Best guess at who made an object that later cannot be serialized: the last rule that passed new ones.
        if (r.user !== user || r.context !== context) lastRule = names[i];
        user = r.user; context = r.context;
        var redirect = snapshot(context, "redirect"), multifactor = snapshot(context, "multifactor");
        if (redirect && redirect !== before.redirect) setBy.redirect = names[i];
        if (multifactor && multifactor !== before.multifactor) setBy.multifactor = names[i];
      }
      current = -1;
      return finish({ status: "ok" }, user, context);
    }
    // The result goes back through a capability rather than as the script's value: isolated-vm fails a run that
    // leaves a rejected promise unhandled, and a rule's stray Promise.reject() must not fail the login.
    pipeline().catch(function (e) {
      return finish({ status: "error", error: { kind: "denied", message: describe(e).message, rule: ruleName() } }, null, null);
    }).then(function (text) { hostDone(text); });
  };
})()`;

/** Strip what Auth0's editor tolerated after the function (a trailing semicolon, whitespace). */
export function normalizeRuleScript(script: string): string {
  return script.replace(/[\s;]+$/, "");
}

/** The expression a rule's script must be: `(function (user, context, callback) { … })`. */
export function ruleExpression(script: string): string {
  return `(${normalizeRuleScript(script)}\n)`;
}

/**
 * One script per pipeline: the bootstrap runs first (it captures the capabilities before any rule code is
 * evaluated), then the module factories and the rule functions are evaluated and handed to it. Compiled once per
 * isolate and pipeline version; running it in a fresh context only creates closures.
 */
export function pipelineSource(scripts: readonly string[]): string {
  const factories = Object.entries(SANDBOX_MODULES)
    .map(([name, m]) => `${JSON.stringify(name)}: function (module, exports) {\n${m.source}\n}`)
    .join(",\n");
  const rules = scripts.map(ruleExpression).join(",\n");
  return `${BOOTSTRAP}({\n${factories}\n}, [\n${rules}\n]);\n`;
}
