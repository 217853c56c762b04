import { useEffect } from "react";
import { Layout } from "./components/layout";
import { I18nProvider } from "./i18n/i18n";
import { DeadLetterPage } from "./pages/dead-letter";
import { DeadLettersPage } from "./pages/dead-letters";
import { DeliveriesPage } from "./pages/deliveries";
import { NotFoundPage } from "./pages/not-found";
import { OverviewPage } from "./pages/overview";
import { SignInPage } from "./pages/sign-in";
import { TimelinePage } from "./pages/timeline";
import { navigate, useLocation, withQuery } from "./router/router";
import { SessionProvider, useSession } from "./session/session";

const decode = (segment: string) => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
};

/** The page of a path; a key per page and id, so each opens afresh (focus, state). */
function Routes() {
  const { path, href } = useLocation();
  const { claims } = useSession();
  const signedIn = claims !== undefined;
  const redirect =
    !signedIn && path !== "/sign-in"
      ? withQuery("/sign-in", { next: href })
      : path === "/"
        ? "/overview"
        : undefined;
  useEffect(() => {
    if (redirect) navigate(redirect, { replace: true });
  }, [redirect]);
  if (redirect) return null;
  if (path === "/sign-in") return <SignInPage key="sign-in" />;
  const [, first, second, ...rest] = path.split("/");
  if (rest.length > 0) return <NotFoundPage />;
  switch (first) {
    case "overview":
      return second === undefined ? <OverviewPage key="overview" /> : <NotFoundPage />;
    case "deliveries":
      return second ? (
        <TimelinePage key={`timeline-${second}`} notificationId={decode(second)} />
      ) : (
        <DeliveriesPage key="deliveries" />
      );
    case "dead-letters":
      return second ? (
        <DeadLetterPage key={`dead-letter-${second}`} id={decode(second)} />
      ) : (
        <DeadLettersPage key="dead-letters" />
      );
    default:
      return <NotFoundPage />;
  }
}

export function App() {
  return (
    <I18nProvider>
      <SessionProvider>
        <Layout>
          <Routes />
        </Layout>
      </SessionProvider>
    </I18nProvider>
  );
}
