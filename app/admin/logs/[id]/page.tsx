import { notFound } from "next/navigation";
import { getDeps } from "@/server/config/deps";
import { getLogDetail } from "@/server/admin/views";
import { getPageAdmin } from "@/server/admin/session";
import { Forbidden } from "@/components/forbidden";

export default async function LogDetailPage({ params }: { params: Promise<{ id: string }> }) {
  const admin = await getPageAdmin("logs:read");
  if (!admin) return <Forbidden />;
  const { id } = await params;
  const record = await getLogDetail(await getDeps(), admin, id);
  if (!record) notFound();
  return (
    <section>
      <h1>
        Log record <code>{record.type}</code>
      </h1>
      <pre style={{ background: "#f6f6f6", padding: "1rem", overflowX: "auto" }}>
        {JSON.stringify(record, null, 2)}
      </pre>
    </section>
  );
}
