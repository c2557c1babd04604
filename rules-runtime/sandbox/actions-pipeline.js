// @ts-check
/**
 * The third part of the sandbox bootstrap (see environment.js for what it is, how it is built and the rules of its
 * hardening, which all apply here): `installActions`, which makes a context warm for one flow of post-login Actions
 * (its modules compiled, its built-ins frozen by harden.js) and returns the entry the host calls once per login, and
 * `startActions`, which runs the actions of that login in order, each with its own event copy (and its own secrets),
 * its own `api` and its own cache, and hands the commands they recorded to the host. Its free names are
 * environment.js's bindings.
 *
 * An action's module code becomes a function through the Function constructor (captured here, before any action
 * code exists), which parses the body on its own: a stray `})` cannot close the wrapper and start new statements,
 * inject another function or shift which action gets which secrets. Every value an action hands to the api is
 * copied to JSON text at call time, and the result is assembled from those texts and null-prototype tables, so no
 * toJSON, setter or replaced built-in an action installs later can change what earlier calls recorded.
 */
  var FunctionCtor = Function, mathFloor = Math.floor, deleteProperty = Reflect.deleteProperty;

  /**
   * Set up a warm context for one flow (the actions' code comes in the first input) and return the function the host
   * calls once per login with that login's input as JSON. Each module is compiled here, once; it is evaluated the
   * first time a login reaches it, and its exports serve the later logins of this context (as Node's module cache
   * does on Auth0). A context serves one login at a time; the host hands it to the next login only after a run that
   * ended cleanly with nothing left running.
   */
  function installActions(factories) {
    var req = makeRequire(factories, "actions");
    G.require = req;
    // Rules' globals that Actions do not have (and no `global` cache that outlives the login).
    deleteProperty(G, "auth0"); deleteProperty(G, "configuration"); deleteProperty(G, "UnauthorizedError"); deleteProperty(G, "global");
    // A finalization callback runs whenever the garbage collector gets to its object: in a warm context, during
    // some later login, where a throw would fail that login. Nothing an action needs.
    deleteProperty(G, "FinalizationRegistry");

    // Every module is compiled before any runs: a syntax error anywhere stops every login before its flow starts.
    var codes = input.actions, modules = list(), syntaxError = null;
    for (var c = 0; c < codes.length; c++) {
      try { push(modules, FunctionCtor("exports", "module", "require", codes[c].code)); } catch (e) {
        syntaxError = { __proto__: null, index: c, error: e };
        break;
      }
    }
    /** Each module's exports, once it has been evaluated in this context. */
    var loaded = list();
    hardenRealm();
    return function runActions(text) {
      if (typeof text !== "string") return;
      beginRun(parse(text));
      startActions(req, modules, loaded, syntaxError);
    };
  }

  function startActions(req, modules, loaded, syntaxError) {
    var actions = input.actions, al = input.actionLimits, clockOffset = input.clockOffsetMs || 0;

    function now() { return realNow() + clockOffset; }
    function q(s) { return stringify(s); }
    /** A value as JSON text, or a TypeError naming what it was for. */
    function jsonText(value, what) {
      var text;
      try { text = stringify(value); } catch (e) { throw new TypeErrorFn(what + " must be JSON-serializable"); }
      if (typeof text !== "string") throw new TypeErrorFn(what + " must be JSON-serializable");
      return text;
    }
    /** A null-prototype table of key → JSON text, from an object of the (trusted) input. */
    function texts(obj) {
      var t = table();
      if (obj !== null && typeof obj === "object" && !isArray(obj)) {
        var ks = keys(obj);
        for (var i = 0; i < ks.length; i++) put(t, ks[i], stringify(obj[ks[i]]));
      }
      return t;
    }
    function objectText(t) {
      var parts = list(), ks = keys(t);
      for (var i = 0; i < ks.length; i++) push(parts, q(ks[i]) + ":" + t[ks[i]]);
      return "{" + join(parts, ",") + "}";
    }

    // The event as the host sent it, the users' metadata as the actions changed it, each action's secrets: texts.
    var ev0 = input.event;
    var eventText = stringify(ev0);
    var hasUser = ev0.user !== null && typeof ev0.user === "object" && !isArray(ev0.user);
    var meta = { __proto__: null, app: texts(hasUser ? ev0.user.app_metadata : null), user: texts(hasUser ? ev0.user.user_metadata : null) };
    var secretTexts = list();
    for (var s = 0; s < actions.length; s++) push(secretTexts, objectText(texts(actions[s].secrets)));
    var executed = table();
    for (var r = 0; r < input.executedRules.length; r++) put(executed, StringFn(input.executedRules[r]), true);

    // What the actions asked for, as JSON texts.
    var none = /** @type {string | null} */ (null);
    var cmd = { __proto__: null, denied: none, idTokenClaims: list(), accessTokenClaims: list(), scopes: list(), multifactor: none,
      metadata: { __proto__: null, app: null, user: null }, cache: list(), redirect: none };
    var recorded = 0;
    function commandsText() {
      return '{"denied":' + (cmd.denied || "null") + ',"idTokenClaims":[' + join(cmd.idTokenClaims, ",") +
        '],"accessTokenClaims":[' + join(cmd.accessTokenClaims, ",") + '],"scopes":[' + join(cmd.scopes, ",") +
        '],"multifactor":' + (cmd.multifactor || "null") + ',"metadata":{"app":' + (cmd.metadata.app ? objectText(cmd.metadata.app) : "null") +
        ',"user":' + (cmd.metadata.user ? objectText(cmd.metadata.user) : "null") + '},"cache":[' + join(cmd.cache, ",") +
        '],"redirect":' + (cmd.redirect || "null") + "}";
    }
    /** Append one command's text to a list, within the run's budgets. */
    function record(l, text, what) {
      if (l.length >= al.maxCalls) throw new RangeErrorFn("Too many " + what + " calls in one login");
      recorded += text.length;
      if (recorded > limits.maxOutputBytes) throw new RangeErrorFn("The actions recorded more than " + limits.maxOutputBytes + " bytes");
      push(l, text);
    }
    function checkName(name, what) {
      if (typeof name !== "string" || name === "" || name.length > 1000) throw new TypeErrorFn(what + " must be a non-empty string");
    }

    function makeApi(i, state) {
      var action = '{"action":' + q(names[i]);
      var api = {};
      /** Calls after the action finished are ignored: its result is in. */
      function live(what) {
        if (state.isActive) return true;
        warn("action \"" + names[i] + "\" called " + what + " after it finished; the call was ignored");
        return false;
      }
      function claimSetter(l, what) {
        return function setCustomClaim(name, value) {
          checkName(name, what + ": the claim name");
          if (value === undefined || !live(what)) return api;
          var text = jsonText(value, what + ": the claim value");
          if (text.length > al.maxClaimBytes) throw new RangeErrorFn(what + ": the claim value is larger than " + al.maxClaimBytes + " bytes");
          record(l, action + ',"name":' + q(name) + ',"value":' + text + "}", what);
          return api;
        };
      }
      function scopeOp(op, what) {
        return function (scope) {
          checkName(scope, what + ": the scope");
          if (live(what)) record(cmd.scopes, action + ',"op":' + q(op) + ',"scope":' + q(scope) + "}", what);
          return api;
        };
      }
      function multifactor(provider, optionsText, what) {
        if (!live(what)) return api;
        var text = action + ',"provider":' + q(provider) + ',"options":' + optionsText + "}";
        if (optionsText.length > al.maxClaimBytes) throw new RangeErrorFn(what + ": the options are larger than " + al.maxClaimBytes + " bytes");
        cmd.multifactor = text;
        return api;
      }
      function factorsText(factors, what) {
        if (!isArray(factors) || factors.length === 0) throw new TypeErrorFn(what + ": the factors must be a non-empty array");
        for (var f = 0; f < factors.length; f++) {
          var factor = factors[f];
          if (factor === null || typeof factor !== "object" || isArray(factor)) throw new TypeErrorFn(what + ": each factor must be an object");
        }
        return '{"factors":' + jsonText(factors, what + ": the factors") + "}";
      }
      function challenge(what) {
        return function (factor, options) {
          var all = list();
          push(all, factor);
          var more = options === undefined || options === null ? undefined : options.additionalFactors;
          if (more !== undefined) {
            if (!isArray(more)) throw new TypeErrorFn(what + ": additionalFactors must be an array");
            for (var m = 0; m < more.length; m++) push(all, more[m]);
          }
          return multifactor("any", factorsText(all, what), what);
        };
      }
      function challengeAny(what) {
        return function (factors) { return multifactor("any", factorsText(factors, what), what); };
      }
      function unsupported(what) {
        return function () { throw new ErrorFn("api.authentication." + what + " is not supported by Portcullis"); };
      }
      function metadataSetter(kind, what) {
        return function (key, value) {
          checkName(key, what + ": the key");
          if (!live(what)) return api;
          var text = value === undefined ? "null" : jsonText(value, what + ": the value");
          var patch = cmd.metadata[kind] || table();
          var had = hasOwn(patch, key), old = patch[key];
          put(patch, key, text);
          if (objectText(patch).length > limits.maxMetadataBytes) {
            if (had) put(patch, key, old); else delete patch[key];
            throw new RangeErrorFn("Metadata larger than " + limits.maxMetadataBytes + " bytes");
          }
          cmd.metadata[kind] = patch;
          if (text === "null") delete meta[kind][key]; else put(meta[kind], key, text);
          return api;
        };
      }
      function noteRedirect(url) { if (cmd.redirect === null) cmd.redirect = action + ',"url":' + q(url) + "}"; }
      function noRedirect(what) {
        return function () {
          noteRedirect("");
          throw new ErrorFn("api.redirect." + what + " is not available: redirects are not possible on /oauth/token");
        };
      }

      // This action's cache: its unexpired entries at run start, then what it set and deleted.
      var store = table(), given = actions[i].cache;
      var givenKeys = given !== null && typeof given === "object" ? keys(given) : list();
      for (var g = 0; g < givenKeys.length; g++) {
        var e = given[givenKeys[g]];
        if (e && typeof e.value === "string" && typeof e.expires_at === "number") put(store, givenKeys[g], { __proto__: null, value: e.value, expires_at: e.expires_at });
      }
      function liveEntry(key) { return hasOwn(store, key) && store[key].expires_at > now() ? store[key] : null; }
      function liveCount() {
        var n = 0, ks = keys(store);
        for (var k = 0; k < ks.length; k++) if (liveEntry(ks[k])) n++;
        return n;
      }
      function isKey(key) { return typeof key === "string" && key.length >= 1 && key.length <= al.cacheKeyChars; }

      api.access = { deny: function deny(reason) {
        var text = reason === undefined ? "" : StringFn(reason);
        if (text.length > 1000) text = slice(text, 0, 1000);
        if (live("api.access.deny") && cmd.denied === null) cmd.denied = action + ',"reason":' + q(text) + "}";
        return api;
      } };
      api.idToken = { setCustomClaim: claimSetter(cmd.idTokenClaims, "api.idToken.setCustomClaim") };
      api.accessToken = {
        setCustomClaim: claimSetter(cmd.accessTokenClaims, "api.accessToken.setCustomClaim"),
        addScope: scopeOp("add", "api.accessToken.addScope"),
        removeScope: scopeOp("remove", "api.accessToken.removeScope"),
      };
      api.multifactor = { enable: function enable(provider, options) {
        checkName(provider, "api.multifactor.enable: the provider");
        if (options !== undefined && options !== null && (typeof options !== "object" || isArray(options)))
          throw new TypeErrorFn("api.multifactor.enable: the options must be an object");
        var optionsText = options === undefined || options === null ? "{}" : jsonText(options, "api.multifactor.enable: the options");
        return multifactor(provider, optionsText, "api.multifactor.enable");
      } };
      api.authentication = {
        challengeWith: challenge("api.authentication.challengeWith"),
        challengeWithAny: challengeAny("api.authentication.challengeWithAny"),
        enrollWith: challenge("api.authentication.enrollWith"),
        enrollWithAny: challengeAny("api.authentication.enrollWithAny"),
        recordMethod: unsupported("recordMethod"),
        setPrimaryUser: unsupported("setPrimaryUser"),
      };
      api.user = {
        setAppMetadata: metadataSetter("app", "api.user.setAppMetadata"),
        setUserMetadata: metadataSetter("user", "api.user.setUserMetadata"),
      };
      api.cache = {
        get: function get(key) {
          var entry = isKey(key) ? liveEntry(key) : null;
          return entry ? { value: entry.value, expires_at: entry.expires_at } : undefined;
        },
        set: function set(key, value, options) {
          if (!isKey(key)) return { type: "error", code: "INVALID_KEY" };
          if (typeof value !== "string" || value.length > al.cacheValueChars) return { type: "error", code: "INVALID_VALUE" };
          var t = now(), expires = t + al.cacheDefaultTtlMs;
          if (options !== undefined && options !== null) {
            if (typeof options !== "object") return { type: "error", code: "INVALID_VALUE" };
            var ttl = options.ttl, at = options.expires_at;
            if (ttl !== undefined) {
              if (typeof ttl !== "number" || !(ttl > 0)) return { type: "error", code: "INVALID_VALUE" };
              expires = t + ttl;
            } else if (at !== undefined) {
              if (typeof at !== "number" || !(at > t)) return { type: "error", code: "INVALID_VALUE" };
              expires = at;
            }
          }
          expires = mathFloor(mathMin(expires, t + al.cacheMaxTtlMs));
          if (!liveEntry(key) && liveCount() >= al.cacheEntries) return { type: "error", code: "CACHE_FULL" };
          if (!live("api.cache.set")) return { type: "error", code: "CACHE_FULL" };
          record(cmd.cache, action + ',"op":"set","key":' + q(key) + ',"value":' + q(value) + ',"expires_at":' + q(expires) + "}", "api.cache.set");
          put(store, key, { __proto__: null, value: value, expires_at: expires });
          return { type: "success", record: { value: value, expires_at: expires } };
        },
        delete: function (key) {
          if (!isKey(key)) return { type: "error", code: "INVALID_KEY" };
          if (live("api.cache.delete")) {
            record(cmd.cache, action + ',"op":"delete","key":' + q(key) + "}", "api.cache.delete");
            delete store[key];
          }
          return { type: "success" };
        },
      };
      api.redirect = {
        canRedirect: function canRedirect() { return false; },
        sendUserTo: function sendUserTo(url) {
          var text = StringFn(url);
          if (live("api.redirect.sendUserTo")) noteRedirect(text.length > 2048 ? slice(text, 0, 2048) : text);
          return api;
        },
        encodeToken: noRedirect("encodeToken"),
        validateToken: noRedirect("validateToken"),
      };
      api.rules = { wasExecuted: function wasExecuted(ruleId) { return typeof ruleId === "string" && hasOwn(executed, ruleId); } };
      return api;
    }

    function eventFor(i) {
      var ev = parse(eventText);
      if (hasUser) {
        put(ev.user, "app_metadata", parse(objectText(meta.app)));
        put(ev.user, "user_metadata", parse(objectText(meta.user)));
      }
      put(ev, "secrets", parse(secretTexts[i]));
      return ev;
    }

    function finish(status, error) {
      if (isOver) return;
      isOver = true;
      current = -1;
      var text;
      try {
        text = '{"status":' + q(status) + ',"error":' + (error ? stringify(error) : "null") + ',"trace":' + stringify(trace) +
          ',"console":' + stringify(lines) + ',"consoleTruncated":' + (consoleTruncated ? "true" : "false") +
          ',"warnings":' + stringify(warnings) + ',"commands":' + commandsText() + "}";
      } catch (e) { text = undefined; }
      if (typeof text !== "string" || text.length > limits.maxOutputBytes) {
        // Too big or sabotaged: only the verdict travels, written without any object an action could have touched.
        var reason = typeof text === "string" ? "the actions produced more than " + limits.maxOutputBytes + " bytes of commands and console" : "the result cannot be serialized";
        var who = error && typeof error.rule === "string" ? error.rule : null;
        text = '{"status":"error","trace":[],"console":[],"warnings":[],"commands":null,' +
          '"error":{"kind":"invalid_output","rule":' + q(who) + ',"message":' + q(reason) + "}}";
      }
      deliver(text);
    }
    function fail(i, kind, err) {
      push(trace, { __proto__: null, name: names[i], durationMs: realNow() - progressAt[0], outcome: kind === "syntax" ? "syntax" : "error" });
      finish("error", { __proto__: null, kind: kind, message: describe(err).message, rule: names[i] });
    }

    /** Wait for an action's returned value (a promise or not) without touching Promise.prototype or species. */
    async function settleWith(value, onOk, onError) {
      var isOk = false, error;
      try { await value; isOk = true; } catch (e) { error = e; }
      try { if (isOk) onOk(); else onError(error); } catch (e) { uncaught(e); }
    }

    if (syntaxError !== null) {
      current = syntaxError.index;
      progressAt[0] = realNow();
      atomicsStore(progressState, 0, syntaxError.index);
      fail(syntaxError.index, "syntax", syntaxError.error);
      return;
    }

    function step(i) {
      if (i >= actions.length || cmd.denied !== null) { finish("ok", null); return; }
      current = i;
      var startedAt = realNow();
      progressAt[0] = startedAt;
      if (i < trackedRules) progressAt[i + 1] = startedAt;
      atomicsStore(progressState, 0, i);
      var state = { __proto__: null, isActive: true, isSettled: false };
      var settle = function (err, isFailed) {
        if (state.isSettled) return;
        state.isSettled = true;
        state.isActive = false;
        failCurrent = null;
        if (isFailed) { fail(i, "denied", err === undefined || err === null ? new ErrorFn("Uncaught exception") : err); return; }
        push(trace, { __proto__: null, name: names[i], durationMs: realNow() - startedAt, outcome: "ok" });
        later(function () { safeStep(i + 1); });
      };
      failCurrent = function (e) { settle(e, true); };
      var api = makeApi(i, state);
      var event = eventFor(i);
      var ret;
      try {
        if (loaded.length <= i) {
          var exportsObject = {};
          var module = { exports: exportsObject };
          apply(modules[i], exportsObject, [exportsObject, module, req]);
          push(loaded, module.exports);
        }
        var exported = loaded[i];
        var handler = exported !== null && (typeof exported === "object" || isFunction(exported)) ? exported.onExecutePostLogin : undefined;
        if (!isFunction(handler)) {
          warn("action \"" + names[i] + "\" does not export onExecutePostLogin; it was skipped");
          settle(undefined, false);
          return;
        }
        ret = apply(handler, exported, [event, api]);
      } catch (e) { settle(e, true); return; }
      settleWith(ret, function () { settle(undefined, false); }, function (e) { settle(e, true); });
    }
    function safeStep(i) {
      try { step(i); } catch (e) {
        finish("error", { __proto__: null, kind: "denied", message: describe(e).message, rule: ruleName() });
      }
    }
    // As for rules, the result goes back through deliver rather than as the script's value.
    safeStep(0);
  }
