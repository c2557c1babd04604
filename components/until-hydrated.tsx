"use client";

import type { ReactNode } from "react";
import { useHydrated } from "./use-hydrated";

/** Disables every control inside it (a borderless fieldset) until the page is interactive; see useHydrated. */
export function UntilHydrated({ children }: { children: ReactNode }) {
  const isHydrated = useHydrated();
  return (
    <fieldset disabled={!isHydrated} className="until-hydrated">
      {children}
    </fieldset>
  );
}
