// @ts-check
/**
 * JavaScript that runs inside the isolate, in a fresh context per login. It is plain ES2020 because it never runs in
 * the host. The host sets five globals before running it: `__pc_in` (the run input as JSON), `__pc_progress` (memory
 * shared with the host, where the bootstrap notes which rule runs since when) and three capability functions
 * (`__pc_sleep`, `__pc_fetch`, `__pc_done`) that take and return strings or numbers only. The bootstrap captures and
 * deletes them before any rule code is evaluated, installs the Auth0 rule globals, runs the rules and hands the result
 * to `__pc_done` as one JSON string.
 *
 * Rule code shares this context's built-ins and may replace any of them (Function.prototype.apply, Promise's then,
 * Array methods, JSON, Symbol.species, setters on Object.prototype…). So the bootstrap captures every intrinsic it
 * uses up front and calls them with Reflect.apply; keeps its own tables in null-prototype objects written with
 * defineProperty; never chains promises (a microtask comes from `await undefined`, which looks nothing up); and calls
 * the capabilities only directly, from closures no rule can reach, so a rule can never get hold of a raw host
 * function. Tampering can still corrupt the tampering login's own result; the host treats that result as untrusted
 * input, and also polices the capabilities itself (types, sizes, call budgets, calls after the run), so even a
 * bootstrap bug could only fail that login.
 *
 * Built, never transpiled: scripts/build-rules-bootstrap.mjs copies the code of this file, of pipeline.js (which
 * defines `start(factories, rules)`, the function the script of pipelineSource in sandbox-source.ts calls) and of
 * actions-pipeline.js (`installActions(factories)`, called by actionsPipelineSource's script), byte for byte, into one
 * function scope in rules-runtime/bootstrap.generated.ts. A transpiler would undo the hardening above
 * (async functions to generators, helpers that look up built-ins at run time), so these files hold no syntax beyond
 * ES2020; their types come from the ECMAScript library and globals.d.ts (checked by `tsc -p rules-runtime/sandbox`,
 * which reads both as global scripts sharing one scope, as they share the function's scope at run time).
 */
  "use strict";
  var G = globalThis;
  var firstInput = JSON.parse(G.__pc_in);
  var hostSleep = G.__pc_sleep, hostFetch = G.__pc_fetch, hostDone = G.__pc_done;
  // Shared with the host: the index of the rule running now and the result's length, when the running rule and
  // each rule started, and the result itself when it fits (the layout is openProgress's in shared-progress.ts).
  var shared = G.__pc_progress;
  var progressState = new Int32Array(shared, 0, 2), progressAt = new Float64Array(shared, 8, firstInput.limits.trackedRules + 1);
  var resultUnits = new Uint16Array(shared, 8 + progressAt.byteLength);
  var atomicsStore = Atomics.store, trackedRules = firstInput.limits.trackedRules, resultCapacity = resultUnits.length;
  var charCodeAt = String.prototype.charCodeAt;
  // @ts-expect-error -- TypeScript deletes only optional properties; these are present until this line.
  delete G.__pc_in; delete G.__pc_progress; delete G.__pc_sleep; delete G.__pc_fetch; delete G.__pc_done;
  // Blocking or unmetered primitives a rule never needs: Atomics.wait could park the isolate thread beyond reach
  // of the time limit, and large wasm memories are not counted the way heap objects are.
  // @ts-expect-error -- TypeScript deletes only optional properties; the library declares these as always there.
  delete G.Atomics; delete G.SharedArrayBuffer; delete G.WebAssembly;

  // Intrinsics, captured before any rule code exists.
  var apply = Reflect.apply, construct = Reflect.construct, defineProperty = Object.defineProperty;
  var setPrototypeOf = Object.setPrototypeOf;
  var create = Object.create, keys = Object.keys, getOwnPropertyNames = Object.getOwnPropertyNames;
  var hasOwnProperty = Object.prototype.hasOwnProperty, isArray = Array.isArray;
  var stringify = JSON.stringify, parse = JSON.parse;
  var StringFn = String, NumberFn = Number, mathMax = Math.max, mathMin = Math.min;
  var arraySlice = Array.prototype.slice, arrayJoin = Array.prototype.join;
  var stringSlice = String.prototype.slice, lastIndexOf = String.prototype.lastIndexOf;
  var toUpperCase = String.prototype.toUpperCase, toLowerCase = String.prototype.toLowerCase;
  var promiseThen = Promise.prototype.then;
  var PromiseFn = Promise, ErrorFn = Error, TypeErrorFn = TypeError, RangeErrorFn = RangeError;
  var RealDate = Date, realNow = Date.now;

  function hasOwn(o, k) { return apply(hasOwnProperty, o, [k]); }
  /** Define (not assign) an own property: setters a rule put on a prototype never see it. */
  function put(o, k, v) { defineProperty(o, k, { __proto__: null, value: v, writable: true, enumerable: true, configurable: true }); return v; }
  function push(a, v) { put(a, a.length, v); }
  function table() { return create(null); }
  /** An array that inherits nothing, so no toJSON or index setter a rule adds to a prototype applies to it. */
  function list() { return setPrototypeOf([], null); }
  function join(a, sep) { return apply(arrayJoin, a, [sep]); }
  function slice(s, from, to) { return apply(stringSlice, s, [from, to]); }
  function isFunction(f) { return typeof f === "function"; }
  /** Run fn in a later microtask without touching Promise.prototype (await of a primitive looks nothing up). */
  async function later(fn) { await undefined; try { fn(); } catch (e) { uncaught(e); } }

  // A run's state. A rules context serves one run; a warm Actions context (actions-pipeline.js) serves one run at a
  // time, and beginRun starts each with nothing left of the one before.
  var input = firstInput, limits, names, trace, warnings, lines, consoleBytes, consoleTruncated, metadata, setBy, current, lastRule;
  var failCurrent, isOver, pending, callSeq, fetches, timerSeq, timersActive, timersTotal, cleared;
  /** Start a run with this (parsed, trusted) input. */
  function beginRun(value) {
    input = value; limits = input.limits; names = input.names;
    trace = list(); warnings = list(); lines = list(); consoleBytes = 0; consoleTruncated = false;
    metadata = { __proto__: null, app: null, user: null }; setBy = table();
    current = -1; lastRule = null; failCurrent = null; isOver = false;
    pending = table(); callSeq = 0; fetches = 0;
    timerSeq = 0; timersActive = 0; timersTotal = 0; cleared = table();
  }
  beginRun(firstInput);

  // Asynchronous capabilities: the sandbox asks with an id (fire and forget), the host answers later by calling
  // __pc_settle(id, text). Only strings and numbers travel either way.
  function waitForSleep(ms, then) { var id = ++callSeq; pending[id] = then; hostSleep(id, ms); }
  function waitForFetch(request, then) { var id = ++callSeq; pending[id] = then; hostFetch(id, request); }
  defineProperty(G, "__pc_settle", {
    __proto__: null,
    value: function (id, text) {
      if (typeof id !== "number" || typeof text !== "string") return;
      var r = pending[id];
      if (r) { delete pending[id]; r(text); }
    },
    enumerable: false, writable: false, configurable: false,
  });

  function clone(v) { return v === undefined ? undefined : parse(stringify(v)); }
  function warn(text) { if (warnings.length < 50) push(warnings, text); }
  function ruleName() { return current >= 0 ? names[current] : lastRule; }

  // Time follows the server's clock (tests move it); only differs from the real clock when an offset is given.
  if (input.clockOffsetMs) {
    var offset = input.clockOffsetMs;
    var ShiftedDate = function Date() {
      if (!new.target) return StringFn(new RealDate(realNow() + offset));
      if (arguments.length === 0) return new RealDate(realNow() + offset);
      return construct(RealDate, arguments);
    };
    ShiftedDate.prototype = RealDate.prototype;
    ShiftedDate.now = function now() { return realNow() + offset; };
    ShiftedDate.parse = RealDate.parse;
    ShiftedDate.UTC = RealDate.UTC;
    RealDate.prototype.constructor = ShiftedDate;
    // @ts-expect-error -- a plain function standing in for Date; TypeScript cannot see its construct signatures.
    G.Date = ShiftedDate;
  }

  // console: bounded capture; past the byte cap lines are dropped and the result says so. A value's text is cut
  // before it is measured, so one huge argument costs no more than the cap.
  function format(v) {
    var s;
    if (typeof v === "string") s = v;
    else {
      try { s = stringify(v); if (s === undefined) s = StringFn(v); } catch (e) {
        try { s = StringFn(v); } catch (e2) { s = "[unprintable]"; }
      }
    }
    if (typeof s !== "string") return "[unprintable]";
    return s.length > limits.consoleBytes ? slice(s, 0, limits.consoleBytes) : s;
  }
  function logger(level) {
    return function () {
      if (consoleTruncated) return;
      var parts = list();
      for (var i = 0; i < arguments.length && i < 100; i++) push(parts, format(arguments[i]));
      var line = (level ? "[" + level + "] " : "") + join(parts, " ");
      if (consoleBytes + line.length > limits.consoleBytes || lines.length >= limits.consoleLines) {
        consoleTruncated = true;
        return;
      }
      consoleBytes += line.length;
      push(lines, line);
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
  // @ts-expect-error -- TypeScript reads this file as a global script, where a class is no globalThis property.
  G.UnauthorizedError = UnauthorizedError;

  function describe(err) {
    var kind = "denied", message;
    try {
      if (err instanceof UnauthorizedError || (err && err.name === "UnauthorizedError")) kind = "unauthorized";
      if (typeof err === "string") message = err;
      else if (err && typeof err.message === "string") message = err.message;
      else message = StringFn(err);
    } catch (e) {
      message = "Unknown error";
    }
    if (typeof message !== "string") message = "Unknown error";
    if (message.length > 1000) message = slice(message, 0, 1000);
    return { __proto__: null, kind: kind, message: message };
  }

  // Timers: each one is a host sleep; counts are capped so a flood fails the rule instead of the server.
  function schedule(fn, ms, args, repeat) {
    if (!isFunction(fn)) throw new TypeErrorFn("The callback argument must be a function");
    if (timersActive >= limits.maxActiveTimers || timersTotal >= limits.maxTimers)
      throw new RangeErrorFn("Too many timers in one rules run");
    var id = ++timerSeq;
    var delay = mathMax(0, mathMin(NumberFn(ms) || 0, 2147483647));
    timersActive++;
    timersTotal++;
    var tick = function () {
      waitForSleep(delay, function () {
        if (cleared[id] || isOver) { timersActive--; return; }
        try { apply(fn, undefined, args); } catch (e) { uncaught(e); }
        if (repeat && !cleared[id]) {
          if (timersTotal >= limits.maxTimers) { timersActive--; uncaught(new RangeErrorFn("Too many timers in one rules run")); return; }
          timersTotal++;
          tick();
        } else timersActive--;
      });
    };
    tick();
    return id;
  }
  function uncaught(e) { if (failCurrent) failCurrent(e); else warn("uncaught exception after the rules finished: " + describe(e).message); }
  G.setTimeout = function setTimeout(fn, ms) { return schedule(fn, ms, apply(arraySlice, arguments, [2]), false); };
  G.setInterval = function setInterval(fn, ms) { return schedule(fn, ms, apply(arraySlice, arguments, [2]), true); };
  G.setImmediate = function setImmediate(fn) { return schedule(fn, 0, apply(arraySlice, arguments, [1]), false); };
  G.clearTimeout = G.clearInterval = G.clearImmediate = function clearTimer(id) { if (typeof id === "number") cleared[id] = true; };

  /** Run work() now; hand its value or error to a Node-style callback in a microtask, or else return a promise. */
  function settleLater(work, cb) {
    var isOk = false, value, error;
    try { value = work(); isOk = true; } catch (e) { error = e; }
    if (isFunction(cb)) {
      later(function () { if (isOk) cb(null, value); else cb(error); });
      return undefined;
    }
    return new PromiseFn(function (resolve, reject) { if (isOk) resolve(value); else reject(error); });
  }

  // auth0.users.*: validated here, recorded as patches the server applies; the promise resolves with the user
  // as it will be stored.
  var userId = input.user && input.user.user_id;
  var stored = { __proto__: null, app: clone((input.user && input.user.app_metadata) || {}), user: clone((input.user && input.user.user_metadata) || {}) };
  function updater(kind) {
    return function (id, obj, cb) {
      return settleLater(function () {
        if (typeof id !== "string") throw new TypeErrorFn("The user id must be a string");
        if (id !== userId) throw new ErrorFn("Rules may update only the metadata of the user who is logging in");
        if (obj === null || typeof obj !== "object" || isArray(obj)) throw new TypeErrorFn("Metadata must be an object");
        var text;
        try { text = stringify(obj); } catch (e) { throw new TypeErrorFn("Metadata must be JSON-serializable"); }
        if (typeof text !== "string") throw new TypeErrorFn("Metadata must be JSON-serializable");
        if (text.length > limits.maxMetadataBytes) throw new RangeErrorFn("Metadata larger than " + limits.maxMetadataBytes + " bytes");
        var copy = parse(text);
        var merged = clone(metadata[kind]) || {};
        var ks = keys(copy);
        for (var i = 0; i < ks.length; i++) put(merged, ks[i], copy[ks[i]]);
        if (stringify(merged).length > limits.maxMetadataBytes) throw new RangeErrorFn("Metadata larger than " + limits.maxMetadataBytes + " bytes");
        metadata[kind] = merged;
        for (var j = 0; j < ks.length; j++) {
          if (copy[ks[j]] === null) delete stored[kind][ks[j]]; else put(stored[kind], ks[j], copy[ks[j]]);
        }
        var user = clone(input.user) || {};
        put(user, "app_metadata", clone(stored.app));
        put(user, "user_metadata", clone(stored.user));
        return user;
      }, cb);
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
        get: function (n) { var k = apply(toLowerCase, StringFn(n), []); return hasOwn(headers, k) ? headers[k] : null; },
        has: function (n) { return hasOwn(headers, apply(toLowerCase, StringFn(n), [])); },
        forEach: function (f) { var ks = keys(headers); for (var i = 0; i < ks.length; i++) f(headers[ks[i]], ks[i]); },
      },
      text: function () { return new PromiseFn(function (resolve) { resolve(r.body); }); },
      json: function () { return new PromiseFn(function (resolve) { resolve(parse(r.body)); }); },
    };
  }
  G.fetch = function fetch(resource, init) {
    return new PromiseFn(function (resolve, reject) {
      if (!input.fetchEnabled) throw new ErrorFn("fetch is disabled: an administrator must allow the host first");
      var url = typeof resource === "string" ? resource : resource && typeof resource.href === "string" ? resource.href : resource && typeof resource.url === "string" ? resource.url : null;
      if (url === null) throw new TypeErrorFn("fetch: the first argument must be a URL string");
      var o = init === undefined || init === null ? {} : init;
      if (typeof o !== "object") throw new TypeErrorFn("fetch: options must be an object");
      var headers = table();
      if (o.headers !== undefined && o.headers !== null) {
        if (typeof o.headers !== "object") throw new TypeErrorFn("fetch: headers must be an object");
        var hk = keys(o.headers);
        for (var i = 0; i < hk.length; i++) put(headers, StringFn(hk[i]), StringFn(o.headers[hk[i]]));
      }
      if (o.body !== undefined && o.body !== null && typeof o.body !== "string") throw new TypeErrorFn("fetch: body must be a string");
      var method = o.method === undefined ? "GET" : apply(toUpperCase, StringFn(o.method), []);
      var req = stringify({ __proto__: null, url: url, method: method, headers: headers, body: o.body === undefined || o.body === null ? null : o.body });
      if (typeof req !== "string" || req.length > limits.fetchMaxRequestBytes) throw new RangeErrorFn("fetch: request larger than " + limits.fetchMaxRequestBytes + " bytes");
      if (++fetches > limits.fetchMaxRequests) throw new RangeErrorFn("fetch: more than " + limits.fetchMaxRequests + " requests in one login");
      waitForFetch(req, function (text) {
        var r;
        try { r = parse(text); } catch (e) { reject(new ErrorFn("fetch failed")); return; }
        if (r && r.ok === true) resolve(makeResponse(r)); else reject(new ErrorFn(r && typeof r.error === "string" ? r.error : "fetch failed"));
      });
    });
  };

  G.global = G;

  /** Hand the run's result (JSON text) to the host: in the shared block when it fits, else through done. */
  function deliver(text) {
    if (text.length <= resultCapacity) {
      for (var k = 0; k < text.length; k++) resultUnits[k] = apply(charCodeAt, text, [k]);
      atomicsStore(progressState, 1, text.length);
    } else hostDone(text);
  }

  /** `require` of the shipped modules (`name` or `name@version`); `who` names the code that may require them. */
  function makeRequire(factories, who) {
    var moduleCache = table();
    var factoryNames = keys(factories);
    return function require(name) {
      if (typeof name !== "string") throw new TypeErrorFn("The module name must be a string");
      var at = apply(lastIndexOf, name, ["@"]);
      var base = at > 0 ? slice(name, 0, at) : name;
      if (!hasOwn(factories, base)) {
        var e = new ErrorFn("Cannot find module '" + name + "': " + who + " may require only " + join(factoryNames, ", "));
        e.code = "MODULE_NOT_FOUND";
        throw e;
      }
      if (!moduleCache[base]) {
        var module = { exports: {} };
        apply(factories[base], module.exports, [module, module.exports]);
        moduleCache[base] = { __proto__: null, exports: module.exports };
      }
      return moduleCache[base].exports;
    };
  }
