"use client";

import type { ReactNode } from "react";
import { useHydrated } from "./use-hydrated";

/**
 * Disables every control inside it (a borderless fieldset) until it is hydrated; see useHydrated. It wraps the
 * dashboard's pages in the layout, above their loading boundary, which hydrates separately: buttons therefore
 * also wait for their own section (components/button.tsx).
 */
export function UntilHydrated({ children }: { children: ReactNode }) {
  const isHydrated = useHydrated();
  return (
    <fieldset disabled={!isHydrated} className="until-hydrated">
      {children}
    </fieldset>
  );
}
