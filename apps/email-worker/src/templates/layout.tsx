// Explicit JSX runtime: tsx may run this from a directory without our tsconfig (bin/dev, Docker).
/** @jsxRuntime automatic */
/** @jsxImportSource react */
import type { NotificationCopy } from "@fluxnotify/shared/delivery";
import { Body, Container, Head, Heading, Hr, Html, Preview, Section, Text } from "@react-email/components";
import type { ReactNode } from "react";

export type Locale = "ko" | "en";

export interface EmailProps {
  copy: NotificationCopy;
  locale: Locale;
  /** Event-specific closing line (what to do next). */
  children?: ReactNode;
}

const ACCENT = { info: "#2563eb", success: "#16a34a", warning: "#d97706", error: "#dc2626" } as const;

const FOOTER: Record<Locale, string> = {
  ko: "본 메일은 발신 전용입니다. 알림 설정은 FluxPay 계정에서 변경할 수 있습니다.",
  en: "This is an automated message. You can change notification settings in your FluxPay account.",
};

/**
 * The frame every FluxPay email shares. All event values arrive as React children/props,
 * so React escapes them: a `<script>` in a reason is shown as text, never run.
 */
export function Layout({ copy, locale, children }: EmailProps) {
  return (
    <Html lang={locale}>
      <Head />
      <Preview>{copy.summary}</Preview>
      <Body
        style={{
          backgroundColor: "#f4f4f5",
          fontFamily: "'Apple SD Gothic Neo', 'Malgun Gothic', Arial, sans-serif",
        }}
      >
        <Container
          style={{
            backgroundColor: "#ffffff",
            padding: "32px",
            maxWidth: "560px",
            borderTop: `4px solid ${ACCENT[copy.tone]}`,
          }}
        >
          <Text style={{ color: "#71717a", fontSize: "13px", margin: 0 }}>FluxPay</Text>
          <Heading as="h1" style={{ fontSize: "22px", color: "#18181b" }}>
            {copy.title}
          </Heading>
          <Text style={{ fontSize: "15px", color: "#27272a" }}>{copy.summary}</Text>
          <Section style={{ margin: "16px 0" }}>
            <table
              role="presentation"
              cellPadding={0}
              cellSpacing={0}
              style={{ width: "100%", fontSize: "14px" }}
            >
              <tbody>
                {copy.fields.map((field) => (
                  <tr key={field.label}>
                    <td style={{ color: "#71717a", padding: "4px 12px 4px 0", whiteSpace: "nowrap" }}>
                      {field.label}
                    </td>
                    <td style={{ color: "#18181b", padding: "4px 0" }}>{field.value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
          {children ? <Text style={{ fontSize: "14px", color: "#3f3f46" }}>{children}</Text> : null}
          <Hr />
          <Text style={{ color: "#a1a1aa", fontSize: "12px" }}>{FOOTER[locale]}</Text>
        </Container>
      </Body>
    </Html>
  );
}
