import type { TLogCategory, TLogTypeInfo } from "@/server/audit/log-catalog";

type TGroup = { category: TLogCategory; label: string; types: TLogTypeInfo[] };

/**
 * The event filter: event names grouped by category (the code after each name), submitting the code as `type`
 * so the URL stays short and shareable (`?type=fp`). A code outside the catalogue stays selectable.
 */
export function LogTypeSelect({ groups, value }: { groups: TGroup[]; value: string | undefined }) {
  const isKnown = !value || groups.some((g) => g.types.some((t) => t.code === value));
  return (
    <select name="type" defaultValue={value ?? ""}>
      <option value="">Any event</option>
      {!isKnown && <option value={value}>{value}</option>}
      {groups.map((g) => (
        <optgroup key={g.category} label={g.label}>
          {g.types.map((t) => (
            <option key={t.code} value={t.code} title={t.description}>
              {t.name} ({t.code})
            </option>
          ))}
        </optgroup>
      ))}
    </select>
  );
}
