"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { TAttackBucket } from "@/server/admin/attack-view/get-attack-view";
import styles from "./attack-view.module.css";

/** How a bucket's start is labelled: minutes and hours by time of day, days by date (UTC, like the logs). */
function labelOf(start: string, bucketMs: number): string {
  return bucketMs >= 86_400_000 ? start.slice(5, 10) : start.slice(11, 16);
}

/**
 * Failed logins, brute-force blocks, suspicious-IP throttles and failed second factors per bucket (stacked bars). The figure's caption
 * sums it up in words and the same numbers follow as a table, for screen readers and for reading exact values.
 */
export function AttackViewChart({
  buckets,
  bucketMs,
  summary,
}: {
  buckets: TAttackBucket[];
  bucketMs: number;
  summary: string;
}) {
  const data = buckets.map((b) => ({ ...b, label: labelOf(b.start, bucketMs) }));
  const unit = bucketMs >= 86_400_000 ? "Day" : bucketMs >= 3_600_000 ? "Hour" : "Minute";
  return (
    <figure className={styles.figure} aria-labelledby="attack-chart-caption">
      <div aria-hidden="true">
        <ResponsiveContainer width="100%" height={240}>
          <BarChart data={data} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="var(--line)" />
            <XAxis dataKey="label" fontSize={11} stroke="var(--muted)" minTickGap={12} />
            <YAxis allowDecimals={false} fontSize={11} width={48} stroke="var(--muted)" />
            <Tooltip />
            <Legend />
            <Bar
              dataKey="failed"
              stackId="a"
              fill="var(--attack-failed)"
              name="Failed logins"
              isAnimationActive={false}
            />
            <Bar
              dataKey="blocked"
              stackId="a"
              fill="var(--attack-blocked)"
              name="Blocks"
              isAnimationActive={false}
            />
            <Bar
              dataKey="throttled"
              stackId="a"
              fill="var(--attack-throttled)"
              name="Throttles"
              isAnimationActive={false}
            />
            <Bar
              dataKey="mfa"
              stackId="a"
              fill="var(--attack-mfa)"
              name="MFA failures"
              isAnimationActive={false}
            />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <figcaption id="attack-chart-caption" className={styles.caption}>
        {summary} Times in UTC.
      </figcaption>
      <details>
        <summary>Numbers per {unit.toLowerCase()}</summary>
        <div className="table-scroll">
          <table>
            <caption className="hint">
              Failed logins, blocks, throttles and MFA failures per {unit.toLowerCase()} (UTC)
            </caption>
            <thead>
              <tr>
                <th scope="col">{unit} starting</th>
                <th scope="col">Failed logins</th>
                <th scope="col">Blocks</th>
                <th scope="col">Throttles</th>
                <th scope="col">MFA failures</th>
              </tr>
            </thead>
            <tbody>
              {buckets.map((b) => (
                <tr key={b.start}>
                  <th scope="row">{b.start.slice(0, 16).replace("T", " ")}</th>
                  <td className={styles.num}>{b.failed}</td>
                  <td className={styles.num}>{b.blocked}</td>
                  <td className={styles.num}>{b.throttled}</td>
                  <td className={styles.num}>{b.mfa}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
