import { useCallback, useEffect, useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { apiGet, asApiError, getSession, onSessionLost, signOut, type ApiError, type Navigation, type SessionView } from './api.js';
import { AuditView, DashboardView, RequestDetailView, RequestsView, RetentionView } from './workspace.js';
import { ActionsContext } from './actions.js';
import { AppHeader } from './app-header.js';
import { ComplaintsView } from './complaints-view.js';
import { CampaignsView, SegmentsView } from './campaign-views.js';
import { ConsentsView, PartnersView } from './consent-views.js';
import { ContractsView } from './contracts-view.js';
import { DuplicatesView } from './duplicates-view.js';
import { ImportView } from './import-view.js';
import { InvoicesView } from './invoices-view.js';
import { forgetOrganisationNames } from './organisation-name.js';
import { OppositionView } from './opposition-view.js';
import { OrganisationsView } from './organisations-view.js';
import { PeopleView } from './people-view.js';
import { pageHref, pageOf, useRoute, type Route } from './router.js';
import { SideNav } from './side-nav.js';
import { TrainingView } from './training-views.js';
import { AuthLayout, EnrolForm, SignInForm, VerifyForm, type Notice } from './sign-in.js';

/** Where the page stands with the server's session. */
type Auth =
  | { readonly state: 'checking' }
  | { readonly state: 'unreachable'; readonly error: ApiError }
  | { readonly state: 'signedOut'; readonly notice: Notice | null }
  | { readonly state: 'secondFactor'; readonly session: SessionView }
  | { readonly state: 'signedIn'; readonly session: SessionView };

function authOf(session: SessionView | null): Auth {
  if (session === null) return { state: 'signedOut', notice: null };
  return session.mfaRequired ? { state: 'secondFactor', session } : { state: 'signedIn', session };
}

const SESSION_ENDED: Notice = { tone: 'info', text: 'Votre session a pris fin : reconnectez-vous.' };

function Content({ route }: { readonly route: Route }) {
  switch (route.view) {
    case 'dashboard':
      return <DashboardView />;
    case 'requests':
      return <RequestsView />;
    case 'request':
      return <RequestDetailView requestId={route.requestId} />;
    case 'retention':
      return <RetentionView />;
    case 'audit':
      return <AuditView />;
    case 'import':
      return <ImportView />;
    case 'duplicates':
      return <DuplicatesView />;
    case 'segments':
      return <SegmentsView />;
    case 'campaigns':
      return <CampaignsView />;
    case 'opposition':
      return <OppositionView />;
    case 'consents':
      return <ConsentsView personId={route.personId} />;
    case 'partners':
      return <PartnersView />;
    case 'training':
      return <TrainingView engagementId={route.engagementId} />;
    case 'organisations':
      return <OrganisationsView />;
    case 'people':
      return <PeopleView personId={route.personId} />;
    case 'contracts':
      return <ContractsView />;
    case 'invoices':
      return <InvoicesView />;
    case 'complaints':
      return <ComplaintsView />;
    case 'home':
    case 'unknown':
      return <NotFound />;
  }
}

/** An address that matches no page says so (issue 16 item 1: never a silent fallback). */
function NotFound() {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="not-found-title">
      <h1 id="not-found-title">{t('notFound.title')}</h1>
      <p className="alert info" role="alert">
        {t('notFound.text')}
      </p>
      <p>
        <a href="#/">{t('notFound.back')}</a>
      </p>
    </section>
  );
}

/** A page the role may not open: its name, and why, instead of its content. */
function Forbidden({ page }: { readonly page: string }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="forbidden-title">
      <h1 id="forbidden-title">{t(`nav.${page}`)}</h1>
      <p className="alert error" role="alert">
        {t(`forbidden.${page}`)}
      </p>
      <p className="muted">{t('forbidden.why')}</p>
    </section>
  );
}

/** The backoffice once signed in: top bar, the role's navigation, and the view of the current route. */
function Shell({ session, onSignOut, signingOut }: { readonly session: SessionView; readonly onSignOut: () => void; readonly signingOut: boolean }) {
  const route = useRoute();
  const nav = useQuery({ queryKey: ['navigation', session.account.id], queryFn: () => apiGet<Navigation>('/api/v1/navigation'), staleTime: Infinity });
  const pages = nav.data?.pages ?? [];
  // One value per answer of the navigation, so the views reading it render again only when it changes.
  const may = useMemo(() => [...(nav.data?.actions ?? []), ...(nav.data?.pages ?? []).map((p) => `page:${p}`)], [nav.data]);
  const page = pageOf(route);
  // The empty address opens the role's first page.
  useEffect(() => {
    if (route.view === 'home' && pages.length > 0) window.location.replace(pageHref(pages[0]!));
  }, [route.view, pages]);
  let body;
  if (nav.isPending || (route.view === 'home' && pages.length > 0)) body = null;
  else if (page !== null && !pages.includes(page)) body = <Forbidden page={page} />;
  else body = <Content route={route} />;
  return (
    <div className="shell">
      <AppHeader account={session.account} roleName={nav.data?.roleLabel ?? null} onSignOut={onSignOut} signingOut={signingOut} />
      <SideNav pages={pages} current={page} />
      <main className="content">
        <ActionsContext.Provider value={may}>{body}</ActionsContext.Provider>
      </main>
    </div>
  );
}

/**
 * The backoffice: asks the server who is signed in (GET /api/v1/session), then shows the
 * sign-in steps or the views. Any data call answered 401 brings the sign-in back.
 */
export function App() {
  const [auth, setAuthState] = useState<Auth>({ state: 'checking' });
  const [signingOut, setSigningOut] = useState(false);

  // What a role may read differs: nothing read under one session is shown under another.
  const setAuth = useCallback((next: Auth) => {
    forgetOrganisationNames();
    setAuthState(next);
  }, []);

  const check = useCallback(() => {
    getSession().then(
      (session) => setAuth(authOf(session)),
      (e: unknown) => setAuth({ state: 'unreachable', error: asApiError(e) }),
    );
  }, [setAuth]);

  useEffect(check, [check]);

  useEffect(
    () =>
      onSessionLost((why) => {
        // A refused CSRF token means the session changed (signed in again in another
        // tab): ask the server who it is now.
        if (why === 'csrf') check();
        else setAuth({ state: 'signedOut', notice: SESSION_ENDED });
      }),
    [check, setAuth],
  );

  const backToSignIn = useCallback(
    async (notice: Notice | null) => {
      setSigningOut(true);
      let next: Notice | null = notice;
      try {
        await signOut();
      } catch {
        next = { tone: 'error', text: 'Le serveur n’a pas confirmé la déconnexion : fermez le navigateur pour terminer la session.' };
      }
      setSigningOut(false);
      setAuth({ state: 'signedOut', notice: next });
    },
    [setAuth],
  );

  switch (auth.state) {
    case 'checking':
      return (
        <AuthLayout>
          <p className="muted" role="status">
            Chargement…
          </p>
        </AuthLayout>
      );
    case 'unreachable':
      return (
        <AuthLayout>
          <p className="alert error" role="alert">
            Impossible de joindre le serveur ({auth.error.message})
          </p>
          <button type="button" onClick={check}>
            Réessayer
          </button>
        </AuthLayout>
      );
    case 'signedOut':
      return (
        <AuthLayout>
          <SignInForm notice={auth.notice} onSession={(s) => setAuth(authOf(s))} />
        </AuthLayout>
      );
    case 'secondFactor': {
      const Step = auth.session.totpEnabled ? VerifyForm : EnrolForm;
      return (
        <AuthLayout>
          <Step session={auth.session} onSession={(s) => setAuth(authOf(s))} onCancel={() => void backToSignIn(null)} />
        </AuthLayout>
      );
    }
    case 'signedIn':
      return (
        <Shell
          key={auth.session.account.id}
          session={auth.session}
          signingOut={signingOut}
          onSignOut={() => void backToSignIn({ tone: 'info', text: 'Vous êtes déconnecté.' })}
        />
      );
  }
}
