"use client";

import { useId } from "react";
import { Button } from "./button";

export type TDependency = { name: string; version: string };

/**
 * Dependencies editor: each a module the server ships (chosen from the list, so nothing else can be picked) and the
 * version declared (the shipped version runs whatever is declared).
 */
export function ActionDependencies({
  dependencies,
  available,
  onChange,
  disabled,
}: {
  dependencies: TDependency[];
  /** The shipped modules, as "name@version". */
  available: string[];
  onChange: (deps: TDependency[]) => void;
  disabled: boolean;
}) {
  const headingId = useId();
  const modules = available.map((m) => {
    const at = m.lastIndexOf("@");
    return { name: m.slice(0, at), version: m.slice(at + 1) };
  });
  const unused = modules.filter((m) => !dependencies.some((d) => d.name === m.name));
  const set = (i: number, patch: Partial<TDependency>) =>
    onChange(dependencies.map((d, j) => (j === i ? { ...d, ...patch } : d)));
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>Dependencies</h2>
      <p className="hint">
        Modules the code may <code>require</code>. Only the modules this server ships are available:{" "}
        {available.join(", ") || "none"}.
      </p>
      {dependencies.length === 0 && <p>No dependencies.</p>}
      <ul className="plain-list">
        {dependencies.map((d, i) => (
          <li key={d.name} data-testid="dependency-row" className="toolbar">
            <label>
              Module
              <select
                value={d.name}
                disabled={disabled}
                onChange={(e) => set(i, { name: e.target.value })}
                className="block"
              >
                {modules
                  .filter((m) => m.name === d.name || !dependencies.some((x) => x.name === m.name))
                  .map((m) => (
                    <option key={m.name} value={m.name}>
                      {m.name}
                    </option>
                  ))}
              </select>
            </label>
            <label>
              Version of {d.name}
              <input
                value={d.version}
                disabled={disabled}
                onChange={(e) => set(i, { version: e.target.value })}
                className="block input-version"
              />
            </label>
            <Button
              type="button"
              disabled={disabled}
              aria-label={`Remove dependency ${d.name}`}
              onClick={() => onChange(dependencies.filter((_, j) => j !== i))}
            >
              Remove
            </Button>
          </li>
        ))}
      </ul>
      <Button
        type="button"
        disabled={disabled || unused.length === 0}
        onClick={() => {
          const m = unused[0];
          if (m) onChange([...dependencies, { name: m.name, version: m.version }]);
        }}
      >
        Add dependency
      </Button>
    </section>
  );
}
