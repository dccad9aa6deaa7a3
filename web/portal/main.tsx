import i18n from 'i18next';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createRootRoute, createRoute, createRouter, Link, Outlet, RouterProvider, useNavigate, useRouterState } from '@tanstack/react-router';
import { StrictMode, useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { initReactI18next, useTranslation } from 'react-i18next';
import type { Lang } from './api.js';
import { CodePage } from './code-page.js';
import { HomePage } from './home.js';
import { langSearch, useHome, useLang, type PortalSearch } from './hooks.js';
import en from './locales/en.json' with { type: 'json' };
import fr from './locales/fr.json' with { type: 'json' };
import { SpacePage } from './space.js';
import './portal.css';

const initial: Lang = new URLSearchParams(window.location.search).get('lang') === 'en' ? 'en' : 'fr';
void i18n.use(initReactI18next).init({ resources: { fr: { translation: fr }, en: { translation: en } }, lng: initial, fallbackLng: 'fr', interpolation: { escapeValue: false } });

/** An address under `.invalid` (RFC 2606: the demo's example values) says it is an example, as the server pages do. */
function MailLink({ address }: { readonly address: string }) {
  const { t } = useTranslation();
  return (
    <>
      <a href={`mailto:${address}`}>{address}</a>
      {/\.invalid$/i.test(address) && <span className="example"> ({t('footer.example')})</span>}
    </>
  );
}

function Layout() {
  const { t } = useTranslation();
  const lang = useLang();
  const navigate = useNavigate();
  const location = useRouterState({ select: (s) => s.location });
  const home = useHome().data;
  useEffect(() => {
    void i18n.changeLanguage(lang);
    document.documentElement.lang = lang;
  }, [lang]);
  useEffect(() => {
    document.title = `${t('portalName')} · ${home?.controller.name ?? ''}`;
  }, [t, home, lang]);
  const other: Lang = lang === 'en' ? 'fr' : 'en';
  const switchHref = `${location.pathname}${other === 'en' ? '?lang=en' : ''}${location.hash ? `#${location.hash}` : ''}`;
  const c = home?.controller;
  const address = c ? [c.address.street, [c.address.postalCode, c.address.city].filter(Boolean).join(' ')].filter(Boolean) : [];
  return (
    <>
      <a className="skip-link" href="#main">{t('skip')}</a>
      <header className="pub-header">
        <div className="pub-header-inner">
          <Link to="/portal" search={langSearch(lang)} className="pub-brand">
            {c?.name ?? ''} <span className="pub-brand-sub">· {t('portalName')}</span>
          </Link>
          <a
            className="lang-switch"
            href={switchHref}
            hrefLang={other}
            lang={other}
            aria-label={t('langSwitchLabel')}
            onClick={(e) => {
              e.preventDefault();
              void navigate({ to: location.pathname, search: langSearch(other), hash: location.hash, replace: true });
            }}
          >
            {t('langSwitch')}
          </a>
        </div>
      </header>
      <main id="main" className="pub-main" tabIndex={-1}>
        <Outlet />
      </main>
      <footer className="pub-footer">
        <div className="pub-footer-inner">
          <nav aria-label={t('footer.nav')}>
            <ul>
              <li><Link to="/portal" search={langSearch(lang)}>{t('footer.portal')}</Link></li>
              <li><a href={`/notice?lang=${lang}`}>{t('footer.notice')}</a></li>
            </ul>
          </nav>
          {c && (
            <section aria-label={t('footer.contacts')}>
              <h2>{t('footer.contacts')}</h2>
              <dl className="contacts">
                <dt>{t('footer.controller')}</dt>
                <dd>
                  {c.name}
                  {address.map((line) => (
                    <span key={line}><br />{line}</span>
                  ))}
                </dd>
                {c.email && <><dt>{t('footer.contact')}</dt><dd><MailLink address={c.email} /></dd></>}
                {c.dpoEmail && <><dt>{t('footer.dpo')}</dt><dd><MailLink address={c.dpoEmail} /></dd></>}
              </dl>
            </section>
          )}
        </div>
      </footer>
    </>
  );
}

function NotFound() {
  const { t } = useTranslation();
  const lang = useLang();
  return (
    <section className="card">
      <h1>{t('errors.notFound')}</h1>
      <p><Link to="/portal" search={langSearch(lang)}>{t('footer.portal')}</Link></p>
    </section>
  );
}

const rootRoute = createRootRoute({
  component: Layout,
  notFoundComponent: NotFound,
  validateSearch: (search: Record<string, unknown>): PortalSearch => (search.lang === 'en' ? { lang: 'en' } : {}),
});
const homeRoute = createRoute({ getParentRoute: () => rootRoute, path: '/portal', component: HomePage });
const codeRoute = createRoute({ getParentRoute: () => rootRoute, path: '/portal/code', component: CodePage });
const spaceRoute = createRoute({ getParentRoute: () => rootRoute, path: '/portal/space', component: SpacePage });
const router = createRouter({ routeTree: rootRoute.addChildren([homeRoute, codeRoute, spaceRoute]), trailingSlash: 'never' });

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}

// The answers are the person's data: never kept once the page is left, never retried blindly.
const queries = new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false, gcTime: 0 } } });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queries}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
