import type { ReactNode } from "react";
import "./globals.css";

export const metadata = {
  title: "Portcullis",
  description: "Auth0-compatible password-grant authorization server",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
