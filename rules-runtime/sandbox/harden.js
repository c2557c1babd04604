// @ts-check
/**
 * A part of the sandbox bootstrap (see environment.js for what it is, how it is built and the rules of its
 * hardening): `hardenRealm`, which freezes the context's built-ins, for contexts that serve more than one login.
 *
 * A warm Actions context (actions-pipeline.js) runs one flow's logins one after another, as Auth0's containers do.
 * What one login's code changes in a built-in would otherwise still be there for the next login, another user's:
 * a polluted `Object.prototype.roles` (from a merge of request data, say) would hand every later user that "role".
 * So before any action code exists, every object reachable from the global object (and the intrinsics reachable only
 * from instances: iterator, generator and async function prototypes, %ThrowTypeError%) is frozen, and the global
 * object's own properties become read-only. The global object itself stays extensible: a new global lives as long as
 * module state does, within one flow version (Auth0's containers keep both too).
 *
 * Frozen prototypes bring JavaScript's "override mistake": assigning `err.name = "X"` or `obj.toString = fn` fails
 * when the inherited property is a read-only data property. As SES's `overrideTaming` does, every writable data
 * property of a frozen prototype becomes an accessor whose getter returns the original value and whose setter, for
 * any other object, defines the property on that object. Assigning to the prototype itself still fails.
 */
  var freeze = Object.freeze, getPrototypeOf = Object.getPrototypeOf, ownKeys = Reflect.ownKeys;
  var getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
  var WeakSetFn = WeakSet;
  var symbolIterator = Symbol.iterator;
  /** Intl as the engine has it (ES2020's library types lack Intl.Segmenter). */
  var IntlAny = /** @type {any} */ (Intl);

  // hardenRealm runs before any action code exists, so unlike the rest of the bootstrap it may use plain arrays and
  // call built-ins directly: nothing can have replaced them yet.

  /** Intrinsics no global property reaches: found from instances made here, before any other code runs. */
  function hiddenIntrinsics() {
    var found = [];
    function add(f) { try { found.push(f()); } catch (e) { /* absent in this engine */ } }
    add(function () { return getPrototypeOf(function* () { /* generator */ }); });
    add(function () { return getPrototypeOf(async function () { /* async */ }); });
    add(function () { return getPrototypeOf(async function* () { /* async generator */ }); });
    add(function () { return getPrototypeOf((function* () { /* generator */ })()); });
    add(function () { return getPrototypeOf((async function* () { /* async generator */ })()); });
    add(function () { return getPrototypeOf([][symbolIterator]()); });
    add(function () { return getPrototypeOf(""[symbolIterator]()); });
    add(function () { return getPrototypeOf(new Map()[symbolIterator]()); });
    add(function () { return getPrototypeOf(new Set()[symbolIterator]()); });
    add(function () { return getPrototypeOf(/x/g[Symbol.matchAll]("x")); });
    // Iterator helpers and Iterator.from's wrapper (where the engine has them), Intl.Segmenter's segments.
    add(function () { return getPrototypeOf([][symbolIterator]().map(function (x) { return x; })); });
    add(function () { return getPrototypeOf(G.Iterator.from({ next: function () { return { done: true, value: undefined }; } })); });
    add(function () { return getPrototypeOf(new IntlAny.Segmenter().segment("")); });
    add(function () { return getPrototypeOf(new IntlAny.Segmenter().segment("")[symbolIterator]()); });
    add(function () {
      var d = getOwnPropertyDescriptor((function () { "use strict"; return arguments; })(), "callee");
      return d ? d.get : undefined;
    });
    return found;
  }

  /** Freeze every built-in (see above); the global object's own properties become read-only. */
  function hardenRealm() {
    var seen = new WeakSetFn(), prototypes = new WeakSetFn();
    var all = [], stack = hiddenIntrinsics();
    var gk = ownKeys(G);
    for (var g = 0; g < gk.length; g++) {
      var gd = getOwnPropertyDescriptor(G, gk[g]);
      if (!gd) continue;
      if ("value" in gd) stack.push(gd.value); else stack.push(gd.get, gd.set);
    }

    while (stack.length > 0) {
      var obj = stack.pop();
      if (obj === null || (typeof obj !== "object" && typeof obj !== "function") || obj === G || seen.has(obj)) continue;
      seen.add(obj);
      all.push(obj);
      var proto = getPrototypeOf(obj);
      if (proto !== null) { prototypes.add(proto); stack.push(proto); }
      var ks = ownKeys(obj);
      for (var k = 0; k < ks.length; k++) {
        var d = getOwnPropertyDescriptor(obj, ks[k]);
        if (!d) continue;
        if ("value" in d) {
          if (ks[k] === "prototype" && typeof obj === "function" && d.value !== null && typeof d.value === "object") prototypes.add(d.value);
          stack.push(d.value);
        } else stack.push(d.get, d.set);
      }
    }

    for (var i = 0; i < all.length; i++) {
      var o = all[i];
      if (prototypes.has(o)) tameOverrides(o);
      freeze(o);
    }
    for (var j = 0; j < gk.length; j++) {
      var desc = getOwnPropertyDescriptor(G, gk[j]);
      if (!desc || !desc.configurable) continue;
      if ("value" in desc) defineProperty(G, gk[j], { __proto__: null, writable: false, configurable: false });
      else defineProperty(G, gk[j], { __proto__: null, configurable: false });
    }
  }

  /** Writable data properties of a prototype become accessors, so objects inheriting them may still override them. */
  function tameOverrides(proto) {
    var ks = ownKeys(proto);
    for (var k = 0; k < ks.length; k++) {
      var d = getOwnPropertyDescriptor(proto, ks[k]);
      if (!d || !("value" in d) || !d.writable || !d.configurable) continue;
      defineProperty(proto, ks[k], { __proto__: null, get: constantGetter(d.value), set: overrideSetter(proto, ks[k]), enumerable: d.enumerable, configurable: false });
    }
  }
  function constantGetter(value) {
    return function () { return value; };
  }
  function overrideSetter(proto, key) {
    return /** @this {unknown} */ function (value) {
      if (this === proto) throw new TypeErrorFn("Cannot assign to read only property '" + StringFn(key) + "' of a frozen built-in");
      if (this === null || this === undefined || (typeof this !== "object" && typeof this !== "function")) return;
      defineProperty(this, key, { __proto__: null, value: value, writable: true, enumerable: true, configurable: true });
    };
  }
