// @ts-check
/**
 * The second half of the sandbox bootstrap (see environment.js for what it is and how it is built): `start`, which
 * runs the rules of one login in order on the environment that environment.js set up, and hands the result to the
 * host. Its free names are environment.js's bindings: the build puts both files in one function scope.
 */
  function start(factories, rules) {
    G.require = makeRequire(factories, "rules");

    // The per-isolate "global" cache: keys rules added in earlier runs come back as JSON copies.
    var baseline = table();
    var own = getOwnPropertyNames(G);
    for (var b = 0; b < own.length; b++) baseline[own[b]] = true;
    try {
      var cached = parse(input.globalCache || "{}");
      var ck = keys(cached);
      for (var c = 0; c < ck.length; c++) if (!hasOwn(G, ck[c])) G[ck[c]] = cached[ck[c]];
    } catch (e) { /* an unreadable cache is an empty cache */ }
    function saveGlobals() {
      var out = table(), size = 2;
      var ks;
      try { ks = keys(G); } catch (e) { return "{}"; }
      for (var i = 0; i < ks.length; i++) {
        var k = ks[i];
        if (baseline[k]) continue;
        try {
          var v = G[k];
          if (isFunction(v) || v === undefined) continue;
          var s = stringify(v);
          if (typeof s !== "string" || size + k.length + s.length + 4 > limits.maxGlobalCacheBytes) continue;
          size += k.length + s.length + 4;
          put(out, k, parse(s));
        } catch (e) { /* not JSON: lives only for this login */ }
      }
      try { return stringify(out); } catch (e) { return "{}"; }
    }

    function snapshot(context, key) { try { return context ? context[key] : undefined; } catch (e) { return undefined; } }

    function runRule(i, user, context, next) {
      var called = false;
      var settle = function (r) {
        if (called) return;
        called = true;
        failCurrent = null;
        later(function () {
          try { next(r); } catch (e) { finish("error", { __proto__: null, kind: "denied", message: describe(e).message, rule: ruleName() }, null, null); }
        });
      };
      failCurrent = function (e) { settle({ __proto__: null, err: e === undefined || e === null ? new ErrorFn("Uncaught exception") : e }); };
      var cb = function (err, u, c) {
        if (called) { warn("rule \"" + names[i] + "\" called its callback more than once; later calls were ignored"); return; }
        if (err) settle({ __proto__: null, err: err });
        else settle({ __proto__: null, user: u === undefined ? user : u, context: c === undefined ? context : c });
      };
      var fn = rules[i];
      if (!isFunction(fn)) { settle({ __proto__: null, syntax: "the script does not evaluate to a function" }); return; }
      var ret;
      try { ret = apply(fn, undefined, [user, context, cb]); } catch (e) {
        if (called) warn("rule \"" + names[i] + "\" threw after calling its callback: " + describe(e).message);
        settle({ __proto__: null, err: e });
        return;
      }
      // An async rule's rejection fails it; its promise is the rule's own object, so it is only ever handed
      // bootstrap closures that check called first.
      try {
        if (ret && isFunction(ret.then)) apply(promiseThen, ret, [undefined, function (e) { settle({ __proto__: null, err: e }); }]);
      } catch (e) { /* a hostile thenable: ignore its promise, the callback still decides */ }
    }

    function result(status, error, user, context) {
      return { __proto__: null, status: status, error: error, trace: trace, console: lines, consoleTruncated: consoleTruncated,
        warnings: warnings, metadata: metadata, setBy: setBy, globalCache: saveGlobals(), user: user, context: context };
    }
    function finish(status, error, user, context) {
      if (isOver) return;
      isOver = true;
      var text;
      try { text = stringify(result(status, error, user, context)); } catch (e) {
        // A rule's denial stands without the user and context; a success needs them, so it fails closed.
        if (status === "ok") error = { __proto__: null, kind: "invalid_output", message: "user or context cannot be serialized: " + describe(e).message, rule: ruleName() };
        try { text = stringify(result("error", error, null, null)); } catch (e2) { text = undefined; }
      }
      if (typeof text !== "string" || text.length > limits.maxOutputBytes) {
        // Too big or sabotaged: only the verdict travels, written without any object a rule could have touched.
        var reason = typeof text === "string" ? "the rules produced more than " + limits.maxOutputBytes + " bytes of user, context and console" : "the result cannot be serialized";
        text = '{"status":"error","trace":[],"console":[],"warnings":[],"metadata":{"app":null,"user":null},"setBy":{},"globalCache":"{}",' +
          '"error":{"kind":"invalid_output","rule":' + stringify(ruleName() === undefined ? null : ruleName()) + ',"message":' + stringify(reason) + '}}';
      }
      deliver(text);
    }

    function step(i, user, context) {
      if (i >= rules.length) { current = -1; finish("ok", null, user, context); return; }
      current = i;
      var startedAt = realNow();
      progressAt[0] = startedAt;
      if (i < trackedRules) progressAt[i + 1] = startedAt;
      atomicsStore(progressState, 0, i);
      var before = { __proto__: null, redirect: snapshot(context, "redirect"), multifactor: snapshot(context, "multifactor") };
      var t0 = realNow();
      runRule(i, user, context, function (r) {
        var ms = realNow() - t0;
        if (r.syntax) {
          push(trace, { __proto__: null, name: names[i], durationMs: ms, outcome: "syntax" });
          finish("error", { __proto__: null, kind: "syntax", message: r.syntax, rule: names[i] }, user, context);
          return;
        }
        if (r.err !== undefined) {
          push(trace, { __proto__: null, name: names[i], durationMs: ms, outcome: "error" });
          var d = describe(r.err);
          finish("error", { __proto__: null, kind: d.kind, message: d.message, rule: names[i] }, user, context);
          return;
        }
        push(trace, { __proto__: null, name: names[i], durationMs: ms, outcome: "ok" });
        // Best guess at who made an object that later cannot be serialized: the last rule that passed new ones.
        if (r.user !== user || r.context !== context) lastRule = names[i];
        var redirect = snapshot(r.context, "redirect"), multifactor = snapshot(r.context, "multifactor");
        if (redirect && redirect !== before.redirect) setBy.redirect = names[i];
        if (multifactor && multifactor !== before.multifactor) setBy.multifactor = names[i];
        step(i + 1, r.user, r.context);
      });
    }
    // The result goes back through a capability rather than as the script's value: isolated-vm fails a run that
    // leaves a rejected promise unhandled, and a rule's stray Promise.reject() must not fail the login.
    try { step(0, input.user, input.context); } catch (e) {
      finish("error", { __proto__: null, kind: "denied", message: describe(e).message, rule: ruleName() }, null, null);
    }
  }
