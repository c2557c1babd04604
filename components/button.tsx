"use client";

import type { ComponentProps } from "react";
import { useHydrated } from "./use-hydrated";

/**
 * A `<button>` that stays disabled until the component around it is interactive (see useHydrated). Each button
 * checks for itself: a page streams in Suspense boundaries (loading.tsx) that hydrate separately, so the layout's
 * gate (UntilHydrated) alone let a click land on a section whose handlers were not attached yet.
 */
export function Button({ disabled, ...props }: ComponentProps<"button">) {
  const isHydrated = useHydrated();
  return <button {...props} disabled={Boolean(disabled) || !isHydrated} />;
}
