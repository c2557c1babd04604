"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

type THour = { hour: number; succeeded: number; failed: number; blocked: number };

/** Logins per hour by outcome (stacked bars), last 24 hours. */
export function OutcomeChart({ hours }: { hours: THour[] }) {
  const data = hours.map((h) => ({ ...h, label: new Date(h.hour).toISOString().slice(11, 16) }));
  return (
    <figure style={{ margin: 0 }} aria-label="Logins per hour by outcome, last 24 hours">
      <ResponsiveContainer width="100%" height={240}>
        <BarChart data={data}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" fontSize={11} interval={2} />
          <YAxis allowDecimals={false} fontSize={11} width={40} />
          <Tooltip />
          <Legend />
          <Bar dataKey="succeeded" stackId="a" fill="#2e9d5b" name="Succeeded" isAnimationActive={false} />
          <Bar dataKey="failed" stackId="a" fill="#d98b1a" name="Failed" isAnimationActive={false} />
          <Bar dataKey="blocked" stackId="a" fill="#c23b3b" name="Blocked" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
      <figcaption style={{ fontSize: "0.85rem", color: "#5b6472" }}>Hours in UTC.</figcaption>
    </figure>
  );
}
