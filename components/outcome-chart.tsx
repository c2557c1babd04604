"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

type THour = { hour: number; succeeded: number; failed: number; blocked: number };

// Colours are the design tokens of app/globals.css (SVG presentation attributes accept var()), so the chart follows
// the dark scheme with the rest of the page.
const AXIS_TICK = { fill: "var(--chart-axis)", fontSize: 11 };
const TOOLTIP_STYLE = {
  background: "var(--bg-raised)",
  border: "1px solid var(--line)",
  borderRadius: 6,
  color: "var(--fg)",
};

/** Logins per hour by outcome (stacked bars), last 24 hours. */
export function OutcomeChart({ hours }: { hours: THour[] }) {
  const data = hours.map((h) => ({ ...h, label: new Date(h.hour).toISOString().slice(11, 16) }));
  return (
    <figure className="chart" aria-label="Logins per hour by outcome, last 24 hours">
      <ResponsiveContainer width="100%" height={240}>
        <BarChart data={data}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="var(--chart-grid)" />
          <XAxis dataKey="label" tick={AXIS_TICK} stroke="var(--chart-grid)" interval={2} />
          <YAxis allowDecimals={false} tick={AXIS_TICK} stroke="var(--chart-grid)" width={40} />
          <Tooltip
            contentStyle={TOOLTIP_STYLE}
            labelStyle={{ color: "var(--fg)" }}
            cursor={{ fill: "var(--bg-hover)" }}
          />
          <Legend />
          <Bar
            dataKey="succeeded"
            stackId="a"
            fill="var(--chart-ok)"
            name="Succeeded"
            isAnimationActive={false}
          />
          <Bar
            dataKey="failed"
            stackId="a"
            fill="var(--chart-fail)"
            name="Failed"
            isAnimationActive={false}
          />
          <Bar
            dataKey="blocked"
            stackId="a"
            fill="var(--chart-block)"
            name="Blocked"
            isAnimationActive={false}
          />
        </BarChart>
      </ResponsiveContainer>
      <figcaption>Hours in UTC.</figcaption>
    </figure>
  );
}
