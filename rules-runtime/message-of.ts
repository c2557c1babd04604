/** The message of anything thrown (isolated-vm rejects with Errors; rule code may throw anything). */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
